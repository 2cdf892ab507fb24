"""`guard scan` end to end with the real bandit, plus bandit's fault matrix (fail closed)."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from guard.tools.envs import resolve
from tests.conftest import EXAMPLE, SHARED, run_guard

pytestmark = pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed (guard tools install bandit)")


@pytest.fixture(scope="module")
def example_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    proc = run_guard("scan", str(EXAMPLE), "--scanners", "bandit", "--output", str(out), "--quiet")
    return proc, out


def test_example_fails_with_high_findings_and_writes_outputs(example_scan):
    proc, out = example_scan
    assert proc.returncode == 1, proc.stderr
    for name in ("guard.sarif", "findings.json", "summary.md"):
        assert (out / name).stat().st_size > 0
    doc = json.loads((out / "findings.json").read_text())
    rules = {f["rule_id"] for f in doc["findings"]}
    assert {"B602", "B608", "B506"} <= rules | {f["finding"]["rule_id"] for f in doc["waived"]}
    assert any(f["severity"] == "high" for f in doc["findings"])
    (bandit,) = [s for s in doc["scanners"] if s["scanner"] == "bandit"]
    assert bandit["status"] == "ok" and bandit["version"] == "1.9.4"
    assert all(not f["location"]["path"].startswith("/") for f in doc["findings"])


def test_sarif_is_accepted_by_the_validators(example_scan):
    _, out = example_scan
    proc = subprocess.run([sys.executable, str(SHARED / "tools" / "sarif-validate"), str(out / "guard.sarif")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sarif_rules_carry_what_github_requires(example_scan):
    _, out = example_scan
    runs = json.loads((out / "guard.sarif").read_text())["runs"]
    (run,) = [r for r in runs if r["tool"]["driver"]["name"] == "bandit"]
    assert run["automationDetails"]["id"] == "guard/bandit/"
    assert run["tool"]["driver"]["version"] == "1.9.4"
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert 0.1 <= float(rule["properties"]["security-severity"]) <= 10.0
    levels = {r["level"] for r in run["results"]}
    assert levels != {"error"}
    assert all("guard/v1" in r["partialFingerprints"] for r in run["results"])
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
               for r in run["results"])


def test_clean_project_passes(tmp_path: Path):
    (tmp_path / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    proc = run_guard("scan", str(tmp_path), "--scanners", "bandit", "--quiet")
    assert proc.returncode == 0, proc.stderr


def test_nosec_is_honoured_but_listed_as_waiver(tmp_path: Path):
    (tmp_path / "a.py").write_text("import subprocess\nsubprocess.call(x, shell=True)  # nosec B602\n")
    out = tmp_path / "out"
    proc = run_guard("scan", str(tmp_path), "--scanners", "bandit", "--fail-on", "high", "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "findings.json").read_text())
    assert [w["finding"]["rule_id"] for w in doc["waived"]] == ["B602"]
    assert doc["waived"][0]["waiver"]["source"] == "inline"
    sarif = json.loads((out / "guard.sarif").read_text())
    assert all(r["ruleId"] != "B602" for run in sarif["runs"] for r in run["results"])


def test_soft_fail_reports_without_failing(tmp_path: Path):
    shutil.copy(EXAMPLE / "shop" / next(p.name for p in (EXAMPLE / "shop").glob("*.py")), tmp_path / "x.py")
    (tmp_path / "y.py").write_text("import subprocess\nsubprocess.call(input(), shell=True)\n")
    assert run_guard("scan", str(tmp_path), "--scanners", "bandit", "-q").returncode == 1
    assert run_guard("scan", str(tmp_path), "--scanners", "bandit", "-q", "--soft-fail").returncode == 0


# --- fail closed -------------------------------------------------------------------------

FAKE = {
    "crash": "exit 3",
    "garbage": 'printf "not sarif {{{" > "$OUT"; exit 1',
    "empty": ': > "$OUT"; exit 0',
    "nothing": "exit 0",
    "hang": "sleep 30",
    "signal": 'kill -9 $$',
    "truncated": 'printf \'{"version": "2.1.0", "runs": [{"tool"\' > "$OUT"; exit 1',
}


def fake_bandit(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-bandit"
    script.write_text("#!/bin/sh\n"
                      'if [ "$1" = "--version" ]; then echo "bandit 1.9.4"; exit 0; fi\n'
                      'OUT=""; while [ $# -gt 0 ]; do [ "$1" = "-o" ] && OUT="$2"; shift; done\n'
                      f"{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.parametrize("fault", sorted(FAKE))
def test_broken_bandit_exits_2_naming_it(fault: str, tmp_path: Path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "a.py").write_text("print('hi')\n")
    script = fake_bandit(tmp_path, FAKE[fault])
    (project / ".guard.yaml").write_text(f"scanners: [bandit]\ntools:\n  bandit:\n    path: {script}\n    timeout: 2\n")
    out = tmp_path / "out"
    proc = run_guard("scan", str(project), "-o", str(out), "-q")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "scanner bandit failed" in proc.stderr
    doc = json.loads((out / "findings.json").read_text())
    assert doc["gate"]["passed"] is False and doc["scanners"][0]["status"] == "error"


def test_missing_bandit_exits_2(tmp_path: Path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / ".guard.yaml").write_text("tools:\n  bandit:\n    path: /nonexistent/bandit\n")
    proc = run_guard("scan", str(tmp_path), "--scanners", "bandit", "-q")
    assert proc.returncode == 2 and "bandit" in proc.stderr and "not found" in proc.stderr


def test_timeout_flag_kills_the_tool(tmp_path: Path):
    (tmp_path / "a.py").write_text("x = 1\n")
    script = fake_bandit(tmp_path, "sleep 60")
    (tmp_path / ".guard.yaml").write_text(f"tools:\n  bandit:\n    path: {script}\n")
    proc = run_guard("scan", str(tmp_path), "--scanners", "bandit", "--timeout", "1", "-q", timeout=30)
    assert proc.returncode == 2 and "timed out after 1s" in proc.stderr


def test_bad_path_and_bad_config_exit_2(tmp_path: Path):
    proc = run_guard("scan", str(tmp_path / "missing"), "-q")
    assert proc.returncode == 2 and "missing" in proc.stderr
    (tmp_path / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: [high\n")
    proc = run_guard("scan", str(tmp_path), "-q")
    assert proc.returncode == 2 and ".guard.yaml:" in proc.stderr
    (tmp_path / ".guard.yaml").write_text("scanners: [nosuchscanner]\n")
    proc = run_guard("scan", str(tmp_path), "-q")
    assert proc.returncode == 2 and "nosuchscanner" in proc.stderr


def test_outputs_already_written_are_not_lost_on_bad_config(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "findings.json").write_text("previous")
    (tmp_path / ".guard.yaml").write_text("bogus: 1\n")
    assert run_guard("scan", str(tmp_path), "-o", str(out), "-q").returncode == 2
    assert (out / "findings.json").read_text() == "previous"


def test_asserts_and_password_literals_in_test_code_are_waived_elsewhere_reported(tmp_path):
    """httpx: 1,300 of bandit's 1,325 findings were asserts in its tests."""
    from guard.scanners.bandit import BanditScanner
    from tests.conftest import scanned

    source = 'def check(user, password="hunter2"):\n    assert user\n    token = "s3cr3t-t0ken"\n    return token\n'
    run = scanned(BanditScanner, tmp_path, {"app/auth.py": source, "tests/test_auth.py": source,
                                            "app/conftest.py": source})
    waived = {(f.location.path, f.rule.id): f.properties.get("inline_waiver") for f in run.findings}
    assert_reason = "guard: an assert in test code is the test's check (B101 is about asserts that `python -O` removes)"
    literal = "guard: a password literal in test code (test data), not a credential"
    for rel in ("tests/test_auth.py", "app/conftest.py"):
        assert waived[(rel, "B101")] == assert_reason
        assert waived[(rel, "B107")] == waived[(rel, "B105")] == literal
    assert {rule: reason for (rel, rule), reason in waived.items() if rel == "app/auth.py"} == {
        "B101": None, "B105": None, "B107": None}


def test_a_file_bandit_cannot_parse_is_reported_not_checked(tmp_path: Path) -> None:
    """bandit skips a file it cannot parse and names it only in its SARIF's notifications."""
    from guard.scanners.bandit import BanditScanner
    from tests.conftest import scanned

    run = scanned(BanditScanner, tmp_path, {
        "legacy/tool.py": "import os\n\nprint 'running'\nos.system(input())\n",
        "app.py": "import os\nos.system(input())\n",
        "blob.py": "x = 1\0\n"})
    found = {(f.location.path, f.rule_id, f.location.start_line) for f in run.findings}
    assert found == {("legacy/tool.py", "bandit/file-not-checked", 3), ("app.py", "B605", 2),
                     ("blob.py", "bandit/file-not-checked", 1)}
    legacy = next(f for f in run.findings if f.location.path == "legacy/tool.py")
    assert "Missing parentheses in call to 'print'" in legacy.message and legacy.severity.value == "low"


def test_eval_and_exec_are_eval_injection_not_os_command_injection(tmp_path: Path) -> None:
    """bandit names them CWE-78; they run Python code (CWE-95), as semgrep's rule for them says."""
    from guard.scanners.bandit import BanditScanner
    from tests.conftest import scanned

    run = scanned(BanditScanner, tmp_path, {"calc.py": "eval(input())\nexec(input())\n"})
    assert {(f.rule_id, f.cwe, f.rule.cwe) for f in run.findings} == {("B307", ("CWE-95",), ("CWE-95",)),
                                                                      ("B102", ("CWE-95",), ("CWE-95",))}
