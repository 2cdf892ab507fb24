"""`.guard-baseline.json`: content fingerprints, shrink-only updates, and the `guard baseline` command."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from guard import baseline
from guard.model import Category, Finding, Location, Rule, Severity
from guard.sarif.fingerprint import SourceCache, assign
from guard.tools.envs import resolve
from tests.conftest import run_guard


def finding(rule: str, line: int, tool: str = "bandit", path: str = "app.py") -> Finding:
    return Finding(tool=tool, rule=Rule(rule, rule, f"{rule} title", rule, rule), message="m",
                   severity=Severity.HIGH, category=Category.SAST, location=Location(path, line))


def test_entries_are_content_fingerprints_that_survive_moved_lines(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import os\nos.system(cmd)\n")
    before = assign([finding("B605", 2)], SourceCache(tmp_path))
    (tmp_path / "app.py").write_text("import os\n\n# moved down\nos.system(cmd)\n")
    after = assign([finding("B605", 4)], SourceCache(tmp_path))
    accepted = baseline.create(before)
    assert after[0].fingerprint in accepted
    text = baseline.dumps(accepted)
    assert '"start_line"' not in text and "line" not in json.loads(text)["findings"][before[0].fingerprint]
    assert baseline.parse(text, "b.json").entries == accepted.entries


def test_update_only_removes_fixed_entries_unless_add() -> None:
    fixed = _fp(finding("B1", 1), "fixed")
    kept = _fp(finding("B2", 2), "kept")
    other_tool = _fp(finding("CKV_1", 3, tool="checkov"), "other")
    new = _fp(finding("B3", 4), "new")
    old = baseline.create([fixed, kept, other_tool])
    result = baseline.update(old, [kept, new], scanned_tools={"bandit"})
    assert result.removed == ("fixed",) and result.added == ()
    assert set(result.baseline.entries) == {"kept", "other"}  # checkov did not run: its entry stays
    result = baseline.update(old, [kept, new], scanned_tools={"bandit"}, add=True)
    assert result.added == ("new",) and set(result.baseline.entries) == {"kept", "other", "new"}


def _fp(f: Finding, fp: str) -> Finding:
    return replace(f, fingerprint=fp)


@pytest.mark.parametrize("text, message", [
    ("{", "b.json:1: invalid JSON"),
    ('{"format": "other"}', "not a guard baseline"),
    ('{"format": "guard-baseline", "version": 9, "findings": {}}', "version 9 is not supported"),
    ('{"format": "guard-baseline", "version": 1, "findings": []}', "must map fingerprints"),
])
def test_bad_files_are_errors(text: str, message: str) -> None:
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.parse(text, "b.json")


@pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed")
def test_baseline_command_create_update_add(tmp_path: Path) -> None:
    (tmp_path / ".guard.yaml").write_text("scanners: [bandit]\n")
    (tmp_path / "a.py").write_text("import subprocess\n\ndef f(cmd):\n    subprocess.call(cmd, shell=True)\n")
    proc = run_guard("baseline", "create", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / ".guard-baseline.json"
    first = json.loads(path.read_text())["findings"]
    assert {e["rule_id"] for e in first.values()} == {"B404", "B602"}
    assert run_guard("scan", str(tmp_path), "-q").returncode == 0  # baselined: not new, does not fail
    proc = run_guard("baseline", "create", str(tmp_path))
    assert proc.returncode == 2 and "exists" in proc.stderr

    # fix B602, add a new high finding elsewhere: update removes the fixed one and does not add the new one
    (tmp_path / "a.py").write_text("import subprocess\n")
    (tmp_path / "b.py").write_text("import subprocess\n\ndef g(c):\n    subprocess.Popen(c, shell=True)\n")
    proc = run_guard("baseline", "update", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "1 fixed entry removed, 0 added" in proc.stdout
    second = json.loads(path.read_text())["findings"]
    assert {(e["rule_id"], e["path"]) for e in second.values()} == {("B404", "a.py")}
    assert run_guard("scan", str(tmp_path), "-q").returncode == 1  # the new finding fails
    proc = run_guard("baseline", "update", str(tmp_path), "--add")
    assert proc.returncode == 0 and "2 added" in proc.stdout
    assert run_guard("scan", str(tmp_path), "-q").returncode == 0


@pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed")
def test_update_refuses_to_run_when_a_scanner_fails(tmp_path: Path) -> None:
    (tmp_path / ".guard.yaml").write_text("scanners: [bandit]\ntools:\n  bandit:\n    path: /nonexistent/bandit\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / ".guard-baseline.json").write_text(baseline.dumps(baseline.create([_fp(finding("B1", 1), "keep")])))
    proc = run_guard("baseline", "update", str(tmp_path))
    assert proc.returncode == 2 and "bandit" in proc.stderr and "not changed" in proc.stderr
    assert "keep" in json.loads((tmp_path / ".guard-baseline.json").read_text())["findings"]
