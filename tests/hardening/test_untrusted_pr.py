"""Untrusted pull requests cannot pass themselves, and the Action never runs PR-controlled text.

Extends tests/integration/test_prmode.py (waivers, baseline, fail_on/soft_fail/skip_scanners edits)
with the other levers a PR holds: its own policies, its own framework catalog, tool paths pointing
at scripts it adds, extra rule packs; and checks every `run:` step of action.yml and of the
documented workflow for `${{ }}` expressions over PR-controlled data.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from guard.tools.envs import resolve
from tests.hardening.helpers import ROOT, assert_no_crash, guard

needs_bandit = pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed")
VULN = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"  # bandit B602, high

POLICY = """# METADATA
# title: No shell injection findings
# description: Any B602 finding is a violation.
# custom:
#   id: PR-SHELL
#   severity: high
#   controls: {soc2: [CC8.1]}
package guard.findings.shell

import rego.v1

deny contains {"msg": "shell injection", "finding": f.fingerprint} if {
    some f in input.findings
    f.rule_id == "B602"
}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    (r / "policies").mkdir(parents=True)
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.email", "dev@example.com")
    git(r, "config", "user.name", "dev")
    (r / "app.py").write_text("print('hello')\n")
    (r / "policies" / "shell.rego").write_text(POLICY)
    (r / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: high\ncache: false\npolicies:\n  paths: [policies]\n")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "base")
    git(r, "checkout", "-qb", "feature")
    return r


def pr_scan(repo: Path, tmp_path: Path, name: str):
    out = tmp_path / name
    env = {k: "" for k in os.environ if k.startswith("GITHUB_")}
    proc = guard("scan", str(repo), "--diff-base", "main", "-o", str(out), "-q", home=tmp_path, env=env,
                 isolate_cache=False)
    assert_no_crash(proc)
    return proc, json.loads((out / "findings.json").read_text())


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@needs_bandit
def test_pr_cannot_neuter_the_policies_that_judge_it(repo: Path, tmp_path: Path):
    (repo / "app.py").write_text(VULN)
    (repo / "policies" / "shell.rego").write_text(POLICY.replace('f.rule_id == "B602"', 'f.rule_id == "never"'))
    (repo / "policies" / "extra.rego").write_text(POLICY.replace("package guard.findings.shell",
                                                                 "package guard.findings.extra")
                                                  .replace("PR-SHELL", "PR-EXTRA"))
    commit(repo, "vulnerable code, weaker policy")
    proc, doc = pr_scan(repo, tmp_path, "out")
    assert proc.returncode == 1, proc.stderr
    policies = {v["policy"] for v in doc["properties"]["violations"]}
    assert any("PR-SHELL" in p or "shell" in p for p in policies), policies  # the base version judged
    assert not any("PR-EXTRA" in p or "extra" in p for p in policies), "a policy the PR added was loaded"
    assert "policies/shell.rego changed" in proc.stderr or "policies" in proc.stderr


@needs_bandit
def test_pr_tool_path_to_its_own_script_is_never_run(repo: Path, tmp_path: Path):
    marker = tmp_path / "pwned"
    evil = repo / "tools" / "bandit"
    evil.parent.mkdir()
    evil.write_text(f"#!/bin/sh\ntouch {marker}\n"
                    'case "$1" in --version) echo "bandit 1.9.4"; exit 0;; esac\n'
                    'while [ $# -gt 0 ]; do [ "$1" = "-o" ] && OUT="$2"; shift; done\n'
                    """printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Bandit"}},"results":[]}]}' > "$OUT"\n""")
    evil.chmod(0o755)
    (repo / "app.py").write_text(VULN)
    (repo / ".guard.yaml").write_text(
        f"scanners: [bandit]\nfail_on: high\ncache: false\npolicies:\n  paths: [policies]\n"
        f"tools:\n  bandit:\n    path: {evil}\nsemgrep:\n  rules: [tools]\n")
    commit(repo, "bring my own scanner")
    proc, doc = pr_scan(repo, tmp_path, "out")
    assert not marker.exists(), "guard ran a tool the pull request supplied"
    assert proc.returncode == 1, proc.stderr
    assert "B602" in {f["rule_id"] for f in doc["findings"]}
    assert "guard: .guard.yaml changed" in proc.stderr


def test_a_tool_path_inside_the_repository_is_refused_in_pr_mode(repo: Path, tmp_path: Path):
    """The base config itself names a script in the repository: the PR's copy is what is checked out."""
    marker = tmp_path / "pwned"
    script = repo / "tools" / "bandit"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\nexit 3\n")
    script.chmod(0o755)
    (repo / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: high\ncache: false\n"
                                      "tools:\n  bandit:\n    path: tools/bandit\n")
    git(repo, "checkout", "-q", "main")
    commit(repo, "a vendored scanner")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "main")
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 0\n")
    (repo / "app.py").write_text(VULN)
    commit(repo, "my own scanner")
    env = {k: "" for k in os.environ if k.startswith("GITHUB_")}
    proc = guard("scan", str(repo), "--diff-base", "main", "-o", str(tmp_path / "out"), "-q", home=tmp_path,
                 env=env, isolate_cache=False, cwd=repo)
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    assert "tools.bandit.path 'tools/bandit' is inside the scanned repository" in proc.stderr
    assert not marker.exists(), "guard ran the pull request's copy of a tool"


@needs_bandit
def test_pr_cannot_remap_controls_with_its_own_framework(repo: Path, tmp_path: Path):
    git(repo, "checkout", "-q", "main")
    (repo / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: high\ncache: false\n")
    commit(repo, "no policies")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    (repo / "fw").mkdir()
    (repo / "fw" / "mine.yaml").write_text("id: mine\nname: Mine\nversion: '1'\ncontrols: []\n")
    (repo / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: critical\ncache: false\nframework_paths: [fw]\n"
                                      "frameworks: [mine]\n")
    (repo / "app.py").write_text(VULN)
    commit(repo, "my framework")
    proc, doc = pr_scan(repo, tmp_path, "out")
    assert proc.returncode == 1, proc.stderr
    assert {c["framework"] for c in doc["controls"]} >= {"soc2", "pci-dss"}
    assert "mine" not in {c["framework"] for c in doc["controls"]}


# --- the Action --------------------------------------------------------------------------------

# contexts whose values a pull request author controls (GitHub's untrusted-input list, and more)
UNTRUSTED = re.compile(
    r"github\.(event\.(pull_request|issue|comment|review|review_comment|pages|commits|head_commit|workflow_run|"
    r"discussion|merge_group)|head_ref)|inputs\.|steps\.[^.]+\.outputs|env\.", re.I)


def _run_steps(doc: dict) -> list[tuple[str, str]]:
    steps = []
    if "runs" in doc:  # an action
        steps += [(s.get("name", "?"), s["run"]) for s in doc["runs"].get("steps", []) if "run" in s]
    for job_name, job in (doc.get("jobs") or {}).items():
        steps += [(f"{job_name}/{s.get('name', '?')}", s["run"]) for s in job.get("steps", []) if "run" in s]
    return steps


def _workflows() -> dict[str, dict]:
    docs = {"action.yml": yaml.safe_load((ROOT / "action.yml").read_text())}
    for md in [*(ROOT / "docs").glob("*.md"), ROOT / "README.md"]:
        for i, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", md.read_text(), re.S)):
            try:
                doc = yaml.safe_load(block)
            except yaml.YAMLError:
                continue
            if isinstance(doc, dict) and ("jobs" in doc or "runs" in doc):
                docs[f"{md.name}#{i}"] = doc
    return docs


def test_no_pr_controlled_expression_in_any_run_step():
    docs = _workflows()
    assert "action.yml" in docs and len(docs) >= 2, sorted(docs)
    checked = 0
    for name, doc in docs.items():
        for step, script in _run_steps(doc):
            checked += 1
            for expr in re.findall(r"\$\{\{(.*?)\}\}", script, re.S):
                assert not UNTRUSTED.search(expr), f"{name}: step {step!r} interpolates ${{{{{expr}}}}} into a shell"
    assert checked >= 3


def test_action_passes_inputs_through_env_only():
    doc = yaml.safe_load((ROOT / "action.yml").read_text())
    for step in doc["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step.get("shell") in ("bash", "sh", "python"), step.get("name")


def test_documented_workflow_does_not_check_out_pr_code_with_secrets():
    """pull_request_target + checkout of the PR head is the classic pwn request: never documented."""
    for name, doc in _workflows().items():
        on = doc.get("on") or doc.get(True) or {}
        events = set(on) if isinstance(on, (dict, list)) else {on}
        if "pull_request_target" not in events:
            continue
        for job in (doc.get("jobs") or {}).values():
            for step in job.get("steps", []):
                ref = str((step.get("with") or {}).get("ref", ""))
                assert "head" not in ref and "pull_request" not in ref, f"{name}: checks out PR code under pull_request_target"


@pytest.mark.skipif(resolve("zizmor") is None, reason="zizmor not installed")
def test_zizmor_auditor_persona_is_clean_on_the_action():
    exe = resolve("zizmor").executable
    proc = subprocess.run([exe, "--offline", "--no-progress", "--persona", "auditor", "--format", "json",
                           str(ROOT / "action.yml")], capture_output=True, text=True, timeout=120, check=False)
    assert proc.stdout.strip().startswith("["), proc.stderr[-2000:]
    findings = json.loads(proc.stdout)
    serious = [f for f in findings if f.get("determinations", {}).get("severity") in ("High", "Medium")]
    assert not serious, json.dumps(serious, indent=1)[:3000]
