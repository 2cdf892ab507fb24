"""semgrep's checks for a run are the rules of the languages it scanned (they decide which controls
a run covers): a Terraform rule checked nothing in a Python-only change."""

from __future__ import annotations

from guard.config import Config
from guard.scanners.semgrep import SemgrepScanner


def languages(files: list[str]) -> set[str]:
    scanner = SemgrepScanner(Config())
    _, rules = scanner.pack()
    by_id = {r.id: r for r in rules.values()}
    return {lang for rule in scanner.checks(files) for lang in by_id[rule.id].languages}


def test_checks_are_the_rules_of_the_scanned_languages() -> None:
    assert languages(["app.py"]) == {"python"}
    assert languages(["app.py", "infra/main.tf"]) == {"python", "hcl"}
    assert languages(["web/index.js"]) == {"javascript", "typescript"}  # rules written for both
    assert languages(["Dockerfile"]) == {"dockerfile"}
    assert languages([]) == set()
