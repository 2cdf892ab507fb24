"""`guard policy test` and `guard policy eval` exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "policy"


def test_policy_test_builtin_pack_passes(guard_cli) -> None:
    proc = guard_cli("policy", "test", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed, total = proc.stdout.strip().splitlines()[-1].split()[0].split("/")
    assert passed == total and int(total) >= 50


def test_policy_test_failure_exits_1(guard_cli) -> None:
    proc = guard_cli("policy", "test", str(FIXTURES / "failing_test"))
    assert proc.returncode == 1
    assert "FAIL guard.config.always_test.test_fails" in proc.stdout and "PASS guard.config.always_test.test_passes" in proc.stdout


def test_policy_test_load_error_exits_2(guard_cli) -> None:
    proc = guard_cli("policy", "test", str(FIXTURES / "broken_syntax"), "--engine", "opa")
    assert proc.returncode == 2 and "broken.rego:1" in proc.stderr


def test_policy_eval_reports_violations(guard_cli, tmp_path: Path) -> None:
    findings = [
        {"tool": "gitleaks", "rule_id": "aws-key", "severity": "high", "category": "secret", "path": "a.env", "line": 3, "fingerprint": "f1"},
        {"tool": "osv", "rule": {"id": "PYSEC-1", "short_description": "jinja2"}, "severity": "medium", "category": "dependency",
         "location": {"path": "requirements.txt", "start_line": 2}, "fingerprint": "f2", "properties": {"fixed_versions": ["3.1.4"]}},
        {"tool": "bandit", "rule_id": "B101", "severity": "low", "category": "sast", "path": "x.py", "line": 1, "fingerprint": "f3"},
    ]
    path = tmp_path / "findings.json"
    path.write_text(json.dumps({"findings": findings}))
    proc = guard_cli("policy", "eval", "--input", str(path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    got = {(v["policy"], v["fingerprint"]) for v in json.loads(proc.stdout)}
    assert got == {("GUARD-GATE-002", "f1"), ("GUARD-GATE-003", "f2")}
    path.write_text(json.dumps([findings[2]]))
    assert guard_cli("policy", "eval", "--input", str(path), "--engine", "opa", cwd=tmp_path).returncode == 0
    path.write_text("{not json")
    bad = guard_cli("policy", "eval", "--input", str(path), cwd=tmp_path)
    assert bad.returncode == 2 and "findings.json:1" in bad.stderr
