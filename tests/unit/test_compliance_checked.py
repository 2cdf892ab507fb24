"""Catalogs and mapping tables that passed their checks are read back by content, not checked again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guard.compliance import frameworks, mappings
from guard.compliance.frameworks import FrameworkError, load_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "catalogs"


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shown names of the catalogs that were really checked."""
    seen: list[str] = []
    real = frameworks.validate
    monkeypatch.setattr(frameworks, "validate", lambda data, lines, shown: seen.append(shown) or real(data, lines, shown))
    return seen


def _fields(f: frameworks.Framework) -> tuple:
    return (f.id, f.name, f.version, f.controls, f.groups, f.description, f.sources, f.notes, f.path, f.builtin)


def _load(path: Path) -> frameworks.Framework:
    frameworks._load_cached.cache_clear()  # a new run: nothing in memory
    return load_file(path)


def test_a_checked_catalog_is_read_back_until_it_changes(tmp_path: Path, cache: Path, checks: list[str]) -> None:
    path = tmp_path / "hipaa.yaml"
    shutil.copyfile(FIXTURES / "good" / "hipaa-security.yaml", path)
    first = _load(path)
    again = _load(path)
    assert checks == [str(path)] and len(list(cache.iterdir())) == 1
    assert _fields(again) == _fields(first) and again.mapped == first.mapped and again is not first

    path.write_text(path.read_text().replace("Audit controls", "Audit logging"))
    changed = _load(path)
    assert checks == [str(path), str(path)] and changed.control("164.312(b)").title == "Audit logging"


def test_a_catalog_with_problems_is_never_remembered(cache: Path, checks: list[str]) -> None:
    bad = FIXTURES / "bad" / "missing-title.yaml"
    for _ in range(2):
        with pytest.raises(FrameworkError, match=r"missing-title\.yaml:\d+"):
            _load(bad)
    assert len(checks) == 2 and not cache.exists()


def test_an_unreadable_record_is_a_miss(tmp_path: Path, cache: Path, checks: list[str]) -> None:
    path = tmp_path / "hipaa.yaml"
    shutil.copyfile(FIXTURES / "good" / "hipaa-security.yaml", path)
    first = _load(path)
    (record,) = cache.iterdir()
    for n, bad in enumerate(["{not json", "{}", '{"id": 1}', "[]"], start=2):
        record.write_text(bad)
        assert _fields(_load(path)) == _fields(first) and len(checks) == n
        assert _fields(_load(path)) == _fields(first) and len(checks) == n  # the record was written again


def test_mapping_tables_read_back_keep_their_sources(tmp_path: Path, cache: Path) -> None:
    directory = tmp_path / "mappings"
    shutil.copytree(mappings.MAPPINGS_DIR, directory)
    first = mappings.builtin_mappings.__wrapped__(directory)
    again = mappings.builtin_mappings.__wrapped__(directory)
    assert len(list(cache.iterdir())) == 3 and again == first
    entry = next(iter(again.cwe.values()))
    assert entry.source.startswith(f"{directory / 'cwe.yaml'}:") and entry.controls
    (directory / "rules.yaml").write_text((directory / "rules.yaml").read_text() + "\n  bad key: {}\n")
    with pytest.raises(FrameworkError, match=r"rules\.yaml:\d+"):
        mappings.builtin_mappings.__wrapped__(directory)
