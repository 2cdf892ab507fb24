"""A re-scan with nothing changed reuses the judged run; each input of the later stages invalidates it.

Runs the real pipeline with the real bandit. "Re-judged" shows as the policy run not being cached;
each change must also change the result the way a fresh judgement would.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from guard import pipeline
from guard.config import load
from guard.model import ControlStatus, RunResult
from guard.report.jsonfile import to_dict

DAY = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)
HIPAA = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks" / "good" / "hipaa-security.yaml"
POLICY = '''
from guard.policy.python import policy


@policy(id="TEAM-001", title="Terraform files are reviewed", description="d", severity="{severity}",
        controls={{"soc2": ["CC8.1"]}}, rationale="r")
def reviewed(input):
    for f in input["files"]:
        if f["kind"] == "terraform":
            yield {{"msg": f"{{f['path']}} needs review", "path": f["path"], "line": 1}}
'''


@pytest.fixture
def tree(tmp_path: Path, own_cache: Path) -> Path:
    root = tmp_path / "repo"
    (root / "team").mkdir(parents=True)
    (root / "app.py").write_text("import subprocess\nsubprocess.call('ls ' + name, shell=True)\n")
    (root / "team" / "reviewed.py").write_text(POLICY.format(severity="low"))
    (root / "board.pdf").write_bytes(b"%PDF")
    (root / ".guard.yaml").write_text(
        "scanners: [bandit]\nfail_on: high\npolicies:\n  paths: [team]\nmanual_controls:\n"
        "  - {framework: soc2, control: CC1.2, evidence: board.pdf, owner: cfo, date: '2026-01-01',"
        " expires: '2999-01-01'}\n")
    return root


def scan(root: Path, day: dt.datetime = DAY) -> RunResult:
    return pipeline.run(root, load(root), clock=lambda: day)


def judged(result: RunResult) -> bool:
    """True if the later stages ran (the policy run was not reused)."""
    (policy_run,) = [s for s in result.scanners if s.scanner == "guard-policy"]
    return not policy_run.cached


def verdict(result: RunResult) -> dict:
    doc = to_dict(result)
    for key in ("started", "finished"):
        doc.pop(key)
    for s in doc["scanners"]:
        s.pop("seconds"), s.pop("cached"), s.pop("raw_outputs")
    return doc


def control(result: RunResult, framework: str, control_id: str) -> ControlStatus:
    return next(c.status for c in result.controls if (c.framework, c.control_id) == (framework, control_id))


def test_rescan_reuses_the_judged_run(tree):
    first = scan(tree)
    assert judged(first) and first.findings and not first.errors
    again = scan(tree)
    assert not judged(again) and all(s.cached for s in again.scanners if s.status.value == "ok")
    assert verdict(again) == verdict(first)
    assert again.started == first.started and again.commit == first.commit


def test_each_input_of_the_later_stages_rejudges(tree):
    first = scan(tree)
    rule = first.findings[0].rule_id
    assert control(first, "soc2", "CC1.2") is ControlStatus.MANUAL
    scan(tree)

    (tree / ".guard-waivers.yaml").write_text(  # waivers file
        f"waivers:\n  - {{rule: {rule}, reason: accepted, owner: sec, expires: '2026-12-31'}}\n")
    waived = scan(tree)
    assert judged(waived) and len(waived.findings) == len(first.findings) - 1 and len(waived.waived) == 1

    (tree / "main.tf").write_text('resource "null_resource" "x" {}\n')  # a file no scanner reads
    tf = scan(tree)
    assert judged(tf) and any(f.rule_id == "TEAM-001" for f in tf.findings)
    assert not judged(scan(tree))

    (tree / "team" / "reviewed.py").write_text(POLICY.format(severity="critical"))  # a policy
    strict = scan(tree)
    assert judged(strict) and strict.gate is not None and not strict.gate.passed

    (tree / "board.pdf").unlink()  # manual-control evidence
    unattested = scan(tree)
    assert judged(unattested) and control(unattested, "soc2", "CC1.2") is not ControlStatus.MANUAL

    later = scan(tree, DAY + dt.timedelta(days=365))  # the date: the waiver has expired
    assert judged(later) and not later.waived

    (tree / ".guard.yaml").write_text((tree / ".guard.yaml").read_text().replace("fail_on: high", "fail_on: critical"))
    config = scan(tree)  # the config
    assert judged(config) and config.gate is not None and config.gate.fail_on.value == "critical"


def test_framework_catalog_and_baseline_rejudge(tree):
    (tree / "fw").mkdir()
    (tree / "fw" / "hipaa.yaml").write_text(HIPAA.read_text())
    (tree / ".guard.yaml").write_text((tree / ".guard.yaml").read_text() + "framework_paths: [fw]\n"
                                      "frameworks: [soc2, hipaa]\n")
    first = scan(tree)
    assert any(c.title == "Audit controls" for c in first.controls)
    (tree / "fw" / "hipaa.yaml").write_text(HIPAA.read_text().replace("title: Audit controls", "title: Audit trails"))
    renamed = scan(tree)  # a framework catalog
    assert judged(renamed) and any(c.title == "Audit trails" for c in renamed.controls)

    baseline = {"format": "guard-baseline", "version": 1,
                "findings": {f.fingerprint: {"tool": f.tool, "rule_id": f.rule_id} for f in first.findings}}
    (tree / ".guard-baseline.json").write_text(json.dumps(baseline))
    accepted = scan(tree)  # the baseline
    assert judged(accepted) and all(f.properties.get("existing") for f in accepted.findings)


def test_scanner_change_or_no_cache_rejudges(tree):
    scan(tree)
    (tree / "app.py").write_text("import pickle\npickle.loads(data)\n")
    changed = scan(tree)
    assert judged(changed) and any(not s.cached for s in changed.scanners if s.scanner == "bandit")
    config = load(tree).replace(cache=False)
    assert judged(pipeline.run(tree, config, clock=lambda: DAY))


def test_later_stages_start_only_when_a_tool_runs(tree, monkeypatch):
    scan(tree)
    prepared = []
    real = pipeline._prepare_policies
    monkeypatch.setattr(pipeline, "_prepare_policies", lambda *args: prepared.append(args) or real(*args))
    assert not judged(scan(tree)) and prepared == []  # served from the caches: no policy engine made
    (tree / "app.py").write_text("import pickle\npickle.loads(data)\n")
    assert judged(scan(tree)) and len(prepared) == 1
