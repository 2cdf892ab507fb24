"""The pipeline's post-scanner stages: policy violations gate and fail their controls."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from guard.config import Config
from guard.model import Category, ControlStatus, Finding, Location, Rule, ScannerRun, Severity, Status
from guard.pipeline import annotate, control_status, failing, gate
from guard.policy.base import Violation

CHECK = Rule("GUARD-TEST-1", "t", "t", "t", "t", controls={"soc2": ("CC7.1",)})


def finding(fp: str, severity: Severity = Severity.LOW, **props) -> Finding:
    return Finding(tool="bandit", rule=Rule("B1", "b", "b", "b", "b"), message="m", severity=severity,
                   category=Category.SAST, location=Location("a.py", 1, 1), fingerprint=fp, properties=props)


def test_violation_fails_the_controls_its_policy_names(tmp_path: Path):
    runs = [ScannerRun("guard-policy", Category.POLICY, Status.OK, version="x", checks=(CHECK,))]
    cfg = Config(frameworks=["soc2"])
    findings, _ = annotate(tmp_path, cfg, [finding("f1")], [])
    clean = control_status(tmp_path, cfg, failing(tmp_path, cfg, findings), [], runs, dt.date(2026, 11, 1))
    (cc71,) = [c for c in clean if c.control_id == "CC7.1"]
    assert cc71.status is ControlStatus.PASSED
    v = Violation(policy="GUARD-TEST-1", severity=Severity.HIGH, message="bad", fingerprint="f1",
                  controls={"soc2": ("CC7.1",)})
    judged = control_status(tmp_path, cfg, failing(tmp_path, cfg, findings), [], runs, dt.date(2026, 11, 1), [v])
    (cc71,) = [c for c in judged if c.control_id == "CC7.1"]
    assert cc71.status is ControlStatus.FAILED and "f1" in cc71.failing


def test_blocking_violation_fails_the_gate_but_not_about_existing_findings():
    cfg = Config(fail_on="high")
    v = Violation(policy="GUARD-GATE-002", severity=Severity.CRITICAL, message="secret", fingerprint="f1")
    assert not gate([finding("f1")], cfg, [], [v]).passed
    assert gate([finding("f1", existing=True)], cfg, [], [v]).passed
    low = Violation(policy="GUARD-X", severity=Severity.LOW, message="minor", fingerprint="f1")
    assert gate([finding("f1")], cfg, [], [low]).passed
    run_level = Violation(policy="GUARD-RUN", severity=Severity.HIGH, message="whole run")
    result = gate([], cfg, [], [run_level])
    assert not result.passed and any("GUARD-RUN" in r for r in result.reasons)


PRELOAD_PROBE = """
import sys
from pathlib import Path
from guard import config, pipeline
root = Path(sys.argv[1])
pipeline.run(root, config.load(root, flags={"scanners": ["osv"], "cache": False}), preload=sys.argv[2:])
print("guard.commands.outputs" in sys.modules, "sarif_om" in sys.modules)
"""


def test_the_output_writers_are_imported_during_the_run_only_for_a_caller_that_writes(tmp_path: Path) -> None:
    """The pre-commit hook writes no files: importing the SARIF writer while its tools run only took
    CPU from them."""
    (tmp_path / "requirements.txt").write_text("requests==2.0.0\n")

    def imported(*preload: str) -> str:
        proc = subprocess.run([sys.executable, "-c", PRELOAD_PROBE, str(tmp_path), *preload], capture_output=True,
                              text=True, timeout=120, check=True)
        return proc.stdout.strip()

    assert imported() == "False False"
    assert imported("guard.commands.outputs") == "True True"
