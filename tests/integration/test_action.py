"""action.yml and the documented workflow: zero findings from actionlint and zizmor, pinned actions,
nothing from a pull request interpolated into shell."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from guard.tools.envs import resolve
from tests.conftest import ROOT

ACTION = ROOT / "action.yml"
DOC = ROOT / "docs" / "github-action.md"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def tool(name: str) -> str:
    found = resolve(name)
    if found is None:
        pytest.skip(f"{name} not installed (guard tools install {name})")
    return found.executable


def documented_workflow() -> str:
    match = re.search(r"```yaml\n(name: guard\n.*?)```", DOC.read_text(), re.S)
    assert match, "docs/github-action.md has no workflow to copy"
    return match.group(1)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding the action (at its root) and two workflows: the documented one, and one using `./`."""
    r = tmp_path_factory.mktemp("repo")
    shutil.copy(ACTION, r / "action.yml")
    wf = r / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "guard.yml").write_text(documented_workflow())
    local = documented_workflow().replace("OWNER/guard@0000000000000000000000000000000000000000 # vX.Y.Z", "./")
    local = local.replace('          comment: "true"\n', '          comment: "true"\n          fail-on: high\n')
    (wf / "local.yml").write_text(local)
    subprocess.run(["git", "init", "-q"], cwd=r, check=True)
    return r


def test_actionlint_finds_nothing(repo: Path) -> None:
    proc = subprocess.run([tool("actionlint"), "-no-color", ".github/workflows/guard.yml", ".github/workflows/local.yml"],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_checks_the_action_inputs(repo: Path, tmp_path: Path) -> None:
    """actionlint reads the local action's metadata: a wrong input name is caught (the check is real)."""
    bad = repo / ".github" / "workflows" / "local.yml"
    original = bad.read_text()
    try:
        bad.write_text(original.replace("fail-on: high", "fail_on_typo: high"))
        proc = subprocess.run([tool("actionlint"), "-no-color", ".github/workflows/local.yml"], cwd=repo,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and "fail_on_typo" in proc.stdout
    finally:
        bad.write_text(original)


@pytest.mark.parametrize("target", ["action.yml", ".github/workflows/guard.yml"])
def test_zizmor_finds_nothing(repo: Path, target: str) -> None:
    proc = subprocess.run([tool("zizmor"), "--offline", "--persona", "auditor", "--no-progress", target], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout


def test_every_action_is_pinned_by_full_sha() -> None:
    uses = [step["uses"] for step in yaml.safe_load(ACTION.read_text())["runs"]["steps"] if "uses" in step]
    lines = [line.split("uses: ", 1)[1].strip() for line in ACTION.read_text().splitlines() if "uses: " in line]
    assert len(lines) == len(uses) == 6
    assert all(SHA_PIN.match(line) for line in lines), lines
    doc_lines = [line.split("uses: ", 1)[1].strip() for line in documented_workflow().splitlines() if "uses: " in line]
    assert all(SHA_PIN.match(line.replace("OWNER/guard", "o/guard").replace("vX.Y.Z", "v0.0.0"))
               for line in doc_lines), doc_lines


def test_no_expression_is_interpolated_into_shell() -> None:
    doc = yaml.safe_load(ACTION.read_text())
    runs = [step["run"] for step in doc["runs"]["steps"] if "run" in step]
    assert runs and not any("${{" in script for script in runs)
    assert doc["runs"]["using"] == "composite"
    assert {"path", "scanners", "frameworks", "fail-on", "baseline", "comment", "upload-sarif", "evidence-store",
            "guard-version"} <= set(doc["inputs"])
    workflow = yaml.safe_load(documented_workflow())
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["guard"]["permissions"] == {"contents": "read", "security-events": "write",
                                                        "pull-requests": "write"}


def test_scan_results_are_kept_between_runs_only_when_asked() -> None:
    """Findings in a cache of the base branch are readable by fork pull requests' workflows."""
    doc = yaml.safe_load(ACTION.read_text())
    assert doc["inputs"]["cache-results"]["default"] == "false"
    (step,) = [s for s in doc["runs"]["steps"] if s.get("name") == "Cache scan results"]
    assert step["if"] == "${{ inputs.cache-results == 'true' }}"
    assert "~/.cache/guard/results" in step["with"]["path"] and "tools" not in step["with"]["path"]
    (scan,) = [s for s in doc["runs"]["steps"] if s.get("id") == "scan"]
    assert scan["env"]["GUARD_CACHE_MAX_MB"] == "${{ inputs.cache-max-mb }}"
