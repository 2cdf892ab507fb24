"""Parsed config entries are reused only for identical path, kind and content."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.policy.inputs import build_config_input
from guard.policy.inputs import parse_file as real_parse_file
from guard.policy.inputs.parsecache import MISS, ParseCache

TF = 'resource "aws_s3_bucket" "b" {\n  acl = "public-read"\n}\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(TF)
    (root / "app.json").write_text('{"a": {"b": 1}}\n')
    return root


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def parse(path: str, text: str, kind: str):
        calls.append(path)
        return real_parse_file(path, text, kind)

    monkeypatch.setattr("guard.policy.inputs.parse_file", parse)
    return calls


def test_second_build_reads_entries_and_matches(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache(tmp_path / "cache")
    uncached, _ = build_config_input(repo, ["main.tf", "app.json"])
    calls = _counting(monkeypatch)
    first, _ = build_config_input(repo, ["main.tf", "app.json"], cache)
    second, _ = build_config_input(repo, ["main.tf", "app.json"], cache)
    assert calls == ["app.json", "main.tf"]
    assert first == second == uncached


def test_changed_content_is_parsed_again(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache(tmp_path / "cache")
    build_config_input(repo, ["main.tf"], cache)
    (repo / "main.tf").write_text(TF.replace("public-read", "private"))
    calls = _counting(monkeypatch)
    got, _ = build_config_input(repo, ["main.tf"], cache)
    assert calls == ["main.tf"]
    assert "private" in str(got) and "public-read" not in str(got)


def test_key_covers_path_kind_and_content() -> None:
    base = ParseCache.key("a.json", "json", "{}")
    assert len({base, ParseCache.key("b.json", "json", "{}"), ParseCache.key("a.json", "yaml", "{}"),
                ParseCache.key("a.json", "json", "[]")}) == 4


def test_corrupt_entry_is_a_miss_and_an_unparsable_file_stays_one_without_being_parsed_again(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache(tmp_path / "cache")
    key = ParseCache.key("x.json", "json", "{}")
    cache.put(key, {"path": "x.json"})
    assert cache.get(key) == {"path": "x.json"}
    entry = next((tmp_path / "cache").rglob(f"{key.name}.bin"))
    entry.write_bytes(entry.read_bytes()[:-3])
    assert cache.get(key) is MISS
    (repo / "bad.json").write_text('{"a": 1,\n "b": not json}')
    calls = _counting(monkeypatch)
    reported = []
    for _ in range(2):  # (a YAML alias bomb takes as long to refuse every time)
        _, errors = build_config_input(repo, ["bad.json"], cache)
        reported.append([(e.path, e.line, e.detail) for e in errors])
    assert reported[0] == reported[1] and reported[0][0][:2] == ("bad.json", 2) and calls == ["bad.json"]
    (repo / "bad.json").write_text('{"a": 1}')
    assert build_config_input(repo, ["bad.json"], cache)[1] == [] and calls == ["bad.json", "bad.json"]


def test_entries_are_sealed_with_the_file_content(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    text = 'password = "hunter2-very-secret"\n'
    key = ParseCache.key("main.tf", "terraform", text)
    cache.put(key, {"path": "main.tf", "value": "hunter2-very-secret"})
    (entry,) = (tmp_path / "cache").rglob("*.bin")
    assert b"hunter2-very-secret" not in entry.read_bytes()
    assert cache.get(key) == {"path": "main.tf", "value": "hunter2-very-secret"}
    other = ParseCache.key("main.tf", "terraform", text.replace("hunter2", "hunter3"))
    assert cache.get(other) is MISS
