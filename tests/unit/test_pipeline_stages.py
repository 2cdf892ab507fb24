"""The pipeline's post-scanner stages: policy violations gate and fail their controls."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from guard.commands.outputs import WRITERS
from guard.config import Config
from guard.model import Category, ControlStatus, Finding, Location, Rule, ScannerRun, Severity, Status
from guard.baseline import Baseline
from guard.pipeline import annotate, control_status, gate, judge
from guard.policy.base import Violation
from guard.waivers import WaiverSet

CHECK = Rule("GUARD-TEST-1", "t", "t", "t", "t", controls={"soc2": ("CC7.1",)})


def finding(fp: str, severity: Severity = Severity.LOW, **props) -> Finding:
    return Finding(tool="bandit", rule=Rule("B1", "b", "b", "b", "b"), message="m", severity=severity,
                   category=Category.SAST, location=Location("a.py", 1, 1), fingerprint=fp, properties=props)


def test_violation_fails_the_controls_its_policy_names(tmp_path: Path):
    runs = [ScannerRun("guard-policy", Category.POLICY, Status.OK, version="x", checks=(CHECK,))]
    cfg = Config(frameworks=["soc2"])
    _, _, failures = annotate(tmp_path, cfg, [finding("f1")], [])
    clean = control_status(tmp_path, cfg, failures, [], runs, dt.date(2026, 11, 1))
    (cc71,) = [c for c in clean if c.control_id == "CC7.1"]
    assert cc71.status is ControlStatus.PASSED
    v = Violation(policy="GUARD-TEST-1", severity=Severity.HIGH, message="bad", fingerprint="f1",
                  controls={"soc2": ("CC7.1",)})
    judged = control_status(tmp_path, cfg, failures, [], runs, dt.date(2026, 11, 1), [v])
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
print("guard.sarif.write" in sys.modules, "sarif_om" in sys.modules)
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
    assert imported(*WRITERS) == "True True"


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: shop/web@sha256:0e4f4b7a1f3a2c9d8e5b6a7f8091a2b3c4d5e6f70e4f4b7a1f3a2c9d8e5b6a7f
          securityContext:
            privileged: true
            runAsNonRoot: true
"""


def test_a_config_policy_and_a_tool_reporting_one_problem_make_one_finding(tmp_path: Path):
    """guard's policies ran after deduplication: GUARD-K8S-001 and checkov's CKV_K8S_16 on the same
    privileged container were two findings. They are now one, found by both."""
    (tmp_path / "web.yaml").write_text(DEPLOYMENT)
    rule = Rule("CKV_K8S_16", "CKV_K8S_16", "CKV_K8S_16: Do not admit privileged containers", "d", "h")
    checkov = Finding(tool="checkov", rule=rule, message="Do not admit privileged containers", severity=Severity.HIGH,
                      category=Category.IAC, location=Location("web.yaml", 1, 13), found_by=("checkov",))
    runs = [ScannerRun("checkov", Category.IAC, Status.OK, version="3", findings=(checkov,), checks=(rule,))]
    day = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    result = judge(tmp_path, Config(), runs, ["web.yaml"], WaiverSet(), Baseline(), None, day, lambda: day,
                   commit=None, branch=None, properties={})
    privileged = [f for f in result.findings if "privileged" in f.title.lower()]
    assert len(privileged) == 1, [(f.tool, f.rule_id) for f in result.findings]
    assert set(privileged[0].found_by) == {"checkov", "guard-policy"}
    policy_run = result.scanners[-1]
    assert policy_run.scanner == "guard-policy" and [f.rule_id for f in policy_run.findings] == ["GUARD-K8S-001"]
