"""User rule paths fail closed: rules the user asked for never vanish silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.base import ScannerError
from guard.scanners.semgrep import builtin_rules_dir, rule_files

RULE = "rules:\n  - id: r1\n    message: m\n    severity: ERROR\n    languages: [python]\n    pattern: eval(...)\n"


def test_builtin_pack_loads():
    assert len(rule_files([builtin_rules_dir()])) >= 30


def test_user_rules_directory_and_file(tmp_path: Path):
    (tmp_path / "ok.yaml").write_text(RULE)
    (tmp_path / "ok.test.yaml").write_text("not: rules\n")  # semgrep --test fixtures are skipped
    assert list(rule_files([tmp_path])) == [tmp_path / "ok.yaml"]


@pytest.mark.parametrize("text", ["not: rules\n", "rules: []\n", "rules: [\n", "a: &a [x]\nb: [*a, *a]\n"])
def test_non_rule_yaml_under_a_rule_path_is_an_error(tmp_path: Path, text: str):
    (tmp_path / "ok.yaml").write_text(RULE)
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(ScannerError, match="bad.yaml"):
        rule_files([tmp_path])


def test_rule_path_without_rules_is_an_error(tmp_path: Path):
    (tmp_path / "README.md").write_text("no rules here")
    with pytest.raises(ScannerError, match="no rule files"):
        rule_files([tmp_path])


def test_a_rule_file_is_parsed_once_per_content_and_a_broken_one_every_time(tmp_path: Path, monkeypatch):
    import yaml

    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "cache"))
    parsed: list[str] = []
    real_load = yaml.load
    monkeypatch.setattr(yaml, "load", lambda text, Loader: (parsed.append(text), real_load(text, Loader=Loader))[1])
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ok.yaml").write_text(RULE)
    first = rule_files([rules])
    assert rule_files([rules]) == first and len(parsed) == 1  # the second pack read the remembered parse
    (rules / "ok.yaml").write_text(RULE.replace("r1", "r2"))
    assert rule_files([rules])[rules / "ok.yaml"]["rules"][0]["id"] == "r2" and len(parsed) == 2
    (rules / "bad.yaml").write_text("rules: [\n")
    for _ in range(2):
        with pytest.raises(ScannerError, match="bad.yaml"):
            rule_files([rules])
