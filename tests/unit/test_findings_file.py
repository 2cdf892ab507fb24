"""findings.json: rules listed once, findings name them by index; it reads back to the same run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.model import Category, Finding, Gate, Location, Rule, RunResult, Severity, Waiver
from guard.report.jsonfile import FindingsFileError, dump, load_run, rule_to_dict, to_dict


def make_run() -> RunResult:
    shared = Rule("B602", "shell", "Shell injection", "full", "help", cwe=("CWE-78",), controls={"soc2": ("CC7.1",)})
    same_content = Rule("B602", "shell", "Shell injection", "full", "help", cwe=("CWE-78",), controls={"soc2": ("CC7.1",)})
    other = Rule("B101", "assert", "Assert used", "full", "help")
    findings = tuple(Finding(tool="bandit", rule=rule, message=f"m{i}", severity=Severity.HIGH, category=Category.SAST,
                             location=Location(f"a{i}.py", i + 1), fingerprint=f"fp{i}")
                     for i, rule in enumerate([shared, shared, same_content, other]))
    waived = ((Finding(tool="bandit", rule=other, message="w", severity=Severity.LOW, category=Category.SAST,
                       fingerprint="fpw"), Waiver(reason="ok", owner="me", expires="2099-01-01", source=".guard-waivers.yaml")),)
    return RunResult(target="/repo", started="2026-01-01T00:00:00+00:00", finished="2026-01-01T00:00:01+00:00",
                     guard_version="0", scanners=(), findings=findings, waived=waived,
                     gate=Gate(passed=False, fail_on=Severity.HIGH, blocking=("fp0",), reasons=("x",)))


def test_rules_are_listed_once_and_read_back(tmp_path: Path):
    run = make_run()
    doc = to_dict(run)
    assert doc["format_version"] == 2
    assert [r["id"] for r in doc["rules"]] == ["B602", "B101"]
    assert [f["rule"] for f in doc["findings"]] == [0, 0, 0, 1] and doc["waived"][0]["finding"]["rule"] == 1
    dump(tmp_path / "findings.json", run)
    back = load_run(tmp_path / "findings.json")
    assert back.findings == run.findings and back.waived == run.waived and back.gate == run.gate
    assert back.findings[0].rule is back.findings[2].rule  # shared on reading, too


def test_format_1_with_embedded_rules_still_reads(tmp_path: Path):
    run = make_run()
    doc = to_dict(run)
    rules = doc.pop("rules")
    doc["format_version"] = 1
    for f in [*doc["findings"], *(w["finding"] for w in doc["waived"])]:
        f["rule"] = rules[f["rule"]]
    (tmp_path / "old.json").write_text(json.dumps(doc))
    assert load_run(tmp_path / "old.json").findings == run.findings


@pytest.mark.parametrize("ref", [7, -1])
def test_a_rule_index_outside_the_table_is_named(tmp_path: Path, ref: int):
    doc = to_dict(make_run())
    doc["findings"][1]["rule"] = ref
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(FindingsFileError, match=r"bad\.json: malformed findings\.json .*names rule"):
        load_run(tmp_path / "bad.json")


def test_embedded_rule_matches_table_entry():
    run = make_run()
    assert to_dict(run)["rules"][1] == rule_to_dict(run.findings[3].rule)
