"""A large run's later stages on more cores (forked children) give the outputs of one process, and a
policy failing in a child fails the run as it would in this process."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest

from guard import forked, pipeline
from guard.commands.outputs import FORK_AT, Outputs
from guard.config import Config, PolicySettings
from guard.model import Category, Finding, Location, Rule, ScannerRun, Severity, Status
from guard.policy.runner import FORK_AT as POLICY_FORK_AT
from tests.integration.process_helpers import wait_for

pytestmark = pytest.mark.skipif(not forked.CAN_FORK, reason="fork is used on Linux only")
N = max(FORK_AT, POLICY_FORK_AT) + 1_000
CLOCK = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.timezone.utc)
CWES = ["CWE-89", "CWE-327", "CWE-798", "CWE-22", "CWE-1357"]
CATEGORIES = [Category.SAST, Category.SECRET, Category.DEPENDENCY, Category.IAC]


def runs(n: int = N) -> list[ScannerRun]:
    rules = [Rule(f"R{i}", f"rule{i}", f"Rule {i}", f"Rule {i} in full", f"help {i}", cwe=(CWES[i % 5],))
             for i in range(40)]
    findings = [Finding(tool="semgrep", rule=rules[i % 40], message=f"problem {i}", severity=list(Severity)[i % 5],
                        category=CATEGORIES[i % 4], location=Location(f"src/m{i % 700}.py", i % 90 + 1, i % 90 + 1),
                        cwe=(CWES[i % 5],), fingerprint=f"{i:032x}", found_by=("semgrep",),
                        properties={"fixed_versions": ["2.0"]} if i % 4 == 2 else {}) for i in range(n)]
    return [ScannerRun("semgrep", Category.SAST, Status.OK, version="1", findings=tuple(findings), checks=tuple(rules))]


def outputs(tmp: Path, name: str, cfg: Config, *, begin: bool = False) -> dict[str, object]:
    """The outputs of a run; with `begin`, guard.sarif is begun once the run is settled."""
    root, out = tmp / name / "repo", tmp / name / "out"
    root.mkdir(parents=True)
    writer = Outputs(out)
    result = pipeline.run_imported(root, runs(), cfg, clock=lambda: CLOCK, settled=writer.begin if begin else None)
    writer.write(result)
    assert sorted(p.name for p in out.iterdir()) == ["controls.json", "findings.json", "guard.sarif", "summary.md"]
    findings = json.loads((out / "findings.json").read_text())
    for scanner in findings["scanners"]:
        scanner["seconds"] = 0
    findings["target"] = None
    return {"findings.json": findings,
            "guard.sarif": (out / "guard.sarif").read_bytes(),
            "controls.json": (out / "controls.json").read_bytes(),
            "summary.md": re.sub(r"\| [0-9.]+s \|", "| s |", (out / "summary.md").read_text())}


def test_forked_stages_write_what_one_process_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forks: list[int] = []
    fork = forked._fork
    monkeypatch.setattr(forked, "_fork", lambda work: forks.append(1) or fork(work))
    cfg = Config(scanners=[], fail_on="critical", frameworks=["soc2", "pci-dss"])
    beside = outputs(tmp_path, "beside", cfg)
    forked_children = len(forks)
    assert forked_children >= 2  # the finding policies and the writers
    begun = outputs(tmp_path, "begun", cfg, begin=True)
    assert len(forks) == 2 * forked_children  # guard.sarif begun in a child, summary.md written here
    monkeypatch.setattr(forked, "CAN_FORK", False)
    alone = outputs(tmp_path, "alone", cfg)
    assert len(forks) == 2 * forked_children and beside == alone and begun == alone
    violations = beside["findings.json"]["properties"]["violations"]  # type: ignore[index]
    assert {v["policy"] for v in violations} >= {"GUARD-GATE-001", "GUARD-GATE-002", "GUARD-GATE-004"}


def test_a_guard_sarif_begun_for_a_run_that_is_not_written_is_removed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    forks: list[int] = []
    fork = forked._fork
    monkeypatch.setattr(forked, "_fork", lambda work: forks.append(1) or fork(work))
    (tmp_path / "repo").mkdir()
    writer, out = Outputs(tmp_path / "out"), tmp_path / "out"
    pipeline.run_imported(tmp_path / "repo", runs(), Config(scanners=[]), settled=writer.begin)
    assert len(forks) == 2  # the finding policies, guard.sarif
    writer.discard()
    assert out.is_dir() and list(out.iterdir()) == []  # the child made the folder for its file, now removed


def test_a_policy_failing_in_a_forked_child_fails_the_run(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "shout.rego").write_text("""# METADATA
# title: Shouts lines
# description: Upper-cases a line number, a type error.
# custom:
#   id: T-SHOUT
#   severity: low
#   controls: {soc2: [CC7.1]}
package guard.findings.shout

import rego.v1

deny contains violation if {
\tsome f in input.findings
\tviolation := {"msg": upper(f.line), "fingerprint": f.fingerprint}
}
""")
    root = tmp_path / "repo"
    root.mkdir()
    result = pipeline.run_imported(root, runs(), Config(scanners=[], policies=PolicySettings(paths=[str(policies)])))
    policy_run = result.scanners[-1]
    assert policy_run.status is Status.ERROR and "shout.rego:14" in policy_run.reason and "upper" in policy_run.reason
    assert not result.gate.passed


def test_what_a_stopped_child_began_in_the_output_folder_is_removed(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C kills the forked children (`forked.stop_children`): one killed after writing guard.sarif aside, before
    it was put in place, left a hidden temporary file in the output folder."""
    from guard import atomic
    from guard.commands import outputs as outputs_mod

    def slow_write_aside(path: Path, data: bytes) -> Path:
        aside = atomic.write_aside(path, data)
        time.sleep(60)  # stopped here
        return aside

    monkeypatch.setattr(outputs_mod, "write_aside", slow_write_aside)
    monkeypatch.setattr(forked, "_STOPPED", False)  # (set by the stop, put back for the tests after this one)
    (tmp_path / "repo").mkdir()
    writer, out = Outputs(tmp_path / "out"), tmp_path / "out"
    pipeline.run_imported(tmp_path / "repo", runs(), Config(scanners=[]), settled=writer.begin)
    assert wait_for(lambda: len(list(out.glob(".guard.sarif.*.tmp"))) == 1, 60), "guard.sarif was not begun"
    forked.stop_children()
    writer.discard()
    assert list(out.iterdir()) == []
