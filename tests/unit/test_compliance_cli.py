"""`guard controls` and `guard frameworks` end to end on a saved findings.json."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from guard.cli import cli
from guard.model import Category, Finding, Location, Rule, RunResult, ScannerRun, Severity, Status
from guard.report.jsonfile import dump

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"


def rule(rid: str, cwe: tuple[str, ...] = ()) -> Rule:
    return Rule(id=rid, name=rid, short_description=rid, full_description=rid, help_text=rid, cwe=cwe)


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sqli = Finding(tool="bandit", rule=rule("B608", ("CWE-89",)), message="SQL built from input",
                   severity=Severity.HIGH, category=Category.SAST, location=Location("app.py", 7), cwe=("CWE-89",),
                   fingerprint="fp-sqli")
    runs = (ScannerRun("bandit", Category.SAST, Status.OK, checks=(rule("B608", ("CWE-89",)), rule("B105", ("CWE-259",))),
                       findings=(sqli,)),
            ScannerRun("osv", Category.DEPENDENCY, Status.ERROR, reason="advisory store missing",
                       checks=(rule("known-vulnerabilities"),)))
    dump(tmp_path / "findings.json", RunResult(target=str(tmp_path), started="s", finished="f", guard_version="0",
                                               scanners=runs, findings=(sqli,)))
    return tmp_path


def test_controls_json_lists_all_61_soc2_criteria(workdir):
    result = CliRunner().invoke(cli, ["controls", "--framework", "soc2", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert len(doc["controls"]) == 61 and doc["summary"]["soc2"]["total"] == 61
    statuses = {c["control_id"]: c for c in doc["controls"]}
    assert statuses["CC8.1"]["status"] == "failed" and statuses["CC8.1"]["failing"] == ["fp-sqli"]
    assert statuses["CC6.1"]["status"] == "passed" and statuses["CC6.1"]["checks"] == ["bandit:B105"]
    assert all(c["checks"] for c in doc["controls"] if c["status"] == "passed")


def test_controls_count_the_runs_policy_violations_as_the_scan_did(workdir):
    """A control failed only by a finding-policy violation stays failed when read back from findings.json."""
    doc = json.loads((workdir / "findings.json").read_text())
    doc["properties"]["violations"] = [{"policy": "GUARD-GATE-002", "severity": "high", "message": "secret in a.env",
                                        "fingerprint": "fp-secret", "controls": {"soc2": ["CC6.1"]},
                                        "source": "policies/no_secrets.rego:1"}]
    (workdir / "findings.json").write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["controls", "--framework", "soc2", "--format", "json"])
    assert result.exit_code == 0, result.output
    cc61 = {c["control_id"]: c for c in json.loads(result.output)["controls"]}["CC6.1"]
    assert cc61["status"] == "failed" and cc61["failing"] == ["fp-secret"]
    assert "guard-policy:GUARD-GATE-002" in cc61["checks"]
    doc["properties"]["violations"] = [{"policy": "X", "severity": "bogus"}]
    (workdir / "findings.json").write_text(json.dumps(doc))
    broken = CliRunner().invoke(cli, ["controls", "--framework", "soc2"])
    assert broken.exit_code == 2 and "malformed violation 0" in broken.output


def test_controls_errored_scanner_does_not_pass_its_controls(workdir):
    result = CliRunner().invoke(cli, ["controls", "-f", "pci-dss", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["control_id"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert rows["6.3.3"]["status"] == "not assessed" and "osv error" in rows["6.3.3"]["note"]
    assert rows["6.2.4"]["status"] == "failed" and rows["6.2"]["status"] == "failed"


def test_controls_markdown_and_table(workdir):
    md = CliRunner().invoke(cli, ["controls", "-f", "gdpr", "--format", "markdown"])
    assert md.exit_code == 0 and "| Art. 32 | Security of processing | failed |" in md.output
    table = CliRunner().invoke(cli, ["controls", "-f", "iso27001"])
    assert table.exit_code == 0 and "A.8.28" in table.output


def test_controls_fails_closed_on_missing_input_or_unknown_framework(workdir):
    missing = CliRunner().invoke(cli, ["controls", "--from", "nope.json"])
    assert missing.exit_code == 2 and "nope.json" in missing.output
    unknown = CliRunner().invoke(cli, ["controls", "-f", "sox"])
    assert unknown.exit_code == 2 and "'sox'" in unknown.output
    (workdir / "broken.json").write_text("{")
    broken = CliRunner().invoke(cli, ["controls", "--from", "broken.json"])
    assert broken.exit_code == 2 and "broken.json" in broken.output


def test_controls_use_manual_attestations_and_user_frameworks_from_config(workdir):
    (workdir / "board.pdf").write_bytes(b"%PDF")
    (workdir / "fw").mkdir()
    (workdir / "fw" / "hipaa.yaml").write_text((FIXTURES / "good" / "hipaa-security.yaml").read_text())
    (workdir / ".guard.yaml").write_text(
        "framework_paths: [fw]\nmanual_controls:\n  - {framework: soc2, control: CC1.2, evidence: board.pdf,"
        " owner: cfo, date: '2026-01-01', expires: '2999-01-01'}\n")
    result = CliRunner().invoke(cli, ["controls", "-f", "soc2,hipaa", "--format", "json"])
    assert result.exit_code == 0, result.output
    controls = {(c["framework"], c["control_id"]): c for c in json.loads(result.output)["controls"]}
    assert controls[("soc2", "CC1.2")]["status"] == "manual"
    assert controls[("hipaa", "164.312(d)")]["status"] == "not assessed"


def test_frameworks_list_show_and_coverage(workdir):
    listed = CliRunner().invoke(cli, ["frameworks", "list", "--format", "json"])
    assert {f["id"]: f["controls"] for f in json.loads(listed.output)}["soc2"] == 61
    shown = CliRunner().invoke(cli, ["frameworks", "show", "iso27001", "--format", "json"])
    controls = json.loads(shown.output)["controls"]
    assert len(controls) == 93 and any(c["automated_checks"] for c in controls)
    cov = CliRunner().invoke(cli, ["frameworks", "coverage", "--format", "json"])
    assert cov.exit_code == 0, cov.output
    figures = {f["framework"]: f for f in json.loads(cov.output)["frameworks"]}
    assert figures["soc2"]["controls"] == 61 and 0 < figures["soc2"]["automated"] < 61
    assert CliRunner().invoke(cli, ["frameworks", "show", "nist"]).exit_code == 2
    assert "automated" in CliRunner().invoke(cli, ["frameworks", "coverage"]).output
