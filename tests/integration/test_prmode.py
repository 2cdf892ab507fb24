"""PR mode end to end on scratch git repositories with the real bandit and trivy.

Only what a pull request introduces fails; the config, waivers and baseline that judge it come
from the base commit, so a PR cannot pass itself by waiving or baselining its own finding.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from guard.tools.envs import resolve
from tests.conftest import run_guard

pytestmark = pytest.mark.skipif(resolve("bandit") is None or resolve("trivy") is None,
                                reason="bandit and trivy not installed (guard tools install bandit trivy)")

BASE_CODE = 'import subprocess\n\n\ndef listing():\n    subprocess.call("ls", shell=True)\n'
NEW_CODE = "\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"  # B602 high
# a realistic-looking AWS key pair: trivy rates these critical
SECRET = 'AWS_ACCESS_KEY_ID = "AKIA2E0A8F3B244C9986"\nAWS_SECRET_ACCESS_KEY = "3vsUDpX8iKvKGeDgQwLzr5xF4Yd9TqNmB2hJcA7e"\n'


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def scan(repo: Path, out: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    clean = {k: "" for k in os.environ if k.startswith("GITHUB_")}
    proc = run_guard("scan", str(repo), "--output", str(out), "--quiet", *args, env={**clean, **(env or {})})
    doc = json.loads((out / "findings.json").read_text()) if (out / "findings.json").exists() else {}
    return proc, doc


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.email", "dev@example.com")
    git(r, "config", "user.name", "dev")
    (r / "app.py").write_text(BASE_CODE)
    (r / ".guard.yaml").write_text("scanners: [bandit, trivy]\nfail_on: high\n")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "base")
    git(r, "checkout", "-qb", "feature")
    return r


def by_rule(doc: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        out.setdefault(f["rule_id"], []).append(f)
    return out


def test_only_new_findings_fail_and_old_ones_are_existing(repo: Path, tmp_path: Path) -> None:
    with (repo / "app.py").open("a") as fh:
        fh.write(NEW_CODE)
    git(repo, "commit", "-qam", "add run()")
    proc, doc = scan(repo, tmp_path / "out", "--diff-base", "main")
    assert proc.returncode == 1, proc.stderr
    rules = by_rule(doc)
    new = [f for f in doc["findings"] if not f["properties"].get("existing")]
    assert [(f["rule_id"], f["severity"], f["location"]["start_line"]) for f in new] == [("B602", "high", 9)]
    assert all(f["properties"].get("existing") for f in rules["B404"] + rules["B607"])
    assert doc["gate"]["blocking"] == [new[0]["fingerprint"]]
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "| high | 1 | 0 |" in summary and "| low | 0 | 3 |" in summary

    # the same tree without a diff base: every finding is new (the high one still fails)
    proc, doc = scan(repo, tmp_path / "full")
    assert proc.returncode == 1
    assert not any(f["properties"].get("existing") for f in doc["findings"])


def test_change_elsewhere_passes_and_scans_only_changed_files(repo: Path, tmp_path: Path) -> None:
    (repo / "README.md").write_text("docs only\n")
    (repo / "util.py").write_text("def add(a, b):\n    return a + b\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "docs")
    proc, doc = scan(repo, tmp_path / "out", "--diff-base", "main")
    assert proc.returncode == 0, proc.stderr
    assert doc["findings"] == []  # app.py did not change: not scanned at all
    (bandit,) = [s for s in doc["scanners"] if s["scanner"] == "bandit"]
    assert bandit["files_scanned"] == 1
    assert doc["properties"]["diff"]["files"] == 2


def test_pr_cannot_waive_or_baseline_its_own_critical_finding(repo: Path, tmp_path: Path) -> None:
    (repo / "settings.py").write_text(SECRET)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "settings")
    proc, doc = scan(repo, tmp_path / "first", "--diff-base", "main")
    assert proc.returncode == 1
    critical = [f for f in doc["findings"] if f["severity"] == "critical"]
    assert {f["rule_id"] for f in critical} == {"aws-access-key-id", "aws-secret-access-key"}

    # the PR now waives its findings (by fingerprint and by rule), baselines them and relaxes the config
    entries = [f"  - fingerprint: {f['fingerprint']}\n    reason: test data\n    owner: me\n    expires: 2099-01-01\n"
               for f in critical]
    entries += ["  - rule: aws-access-key-id\n    reason: test\n    owner: me\n    expires: "
                f"{__import__('datetime').date.today().isoformat()}\n"]
    (repo / ".guard-waivers.yaml").write_text("waivers:\n" + "".join(entries))
    baseline = {"format": "guard-baseline", "version": 1,
                "findings": {f["fingerprint"]: {"tool": "trivy", "rule_id": f["rule_id"]} for f in critical}}
    (repo / ".guard-baseline.json").write_text(json.dumps(baseline))
    (repo / ".guard.yaml").write_text("scanners: [bandit, trivy]\nfail_on: info\nsoft_fail: true\n"
                                      "skip_scanners: [trivy]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "waive it")
    proc, doc = scan(repo, tmp_path / "second", "--diff-base", "main")
    assert proc.returncode == 1, proc.stderr
    assert {f["rule_id"] for f in doc["findings"] if not f["properties"].get("existing")} >= {
        "aws-access-key-id", "aws-secret-access-key"}
    assert doc["waived"] == []
    summary = (tmp_path / "second" / "summary.md").read_text()
    assert "Needs review" in summary
    for name in (".guard-waivers.yaml", ".guard-baseline.json", ".guard.yaml"):
        assert f"`{name}`" in summary
        assert f"guard: {name} changed" in proc.stderr

    # once merged (reviewed), the waivers do apply to later pull requests; the max_days rule still holds
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature")
    (repo / ".guard.yaml").write_text("scanners: [bandit, trivy]\nfail_on: high\n")
    (repo / ".guard-baseline.json").unlink()
    git(repo, "commit", "-qam", "restore config")
    git(repo, "checkout", "-qb", "next")
    (repo / "settings2.py").write_text(SECRET.replace("AKIA2E0A8F3B244C9986", "AKIA7C3D9E1F5A2B4C6D")
                                       .replace("3vsUDp", "9qWeRt"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "more settings")
    proc, doc = scan(repo, tmp_path / "third", "--diff-base", "main")
    assert proc.returncode == 1  # the 2099 waivers are too long (max_days 365): they do not apply
    assert "more than waivers.max_days" in proc.stderr and ".guard-waivers.yaml:2" in proc.stderr
    waived = {f["finding"]["rule_id"] for f in doc["waived"]}
    assert waived == {"aws-access-key-id"}  # the rule waiver expiring today applies
    assert "Waivers expiring within 30 days" in (tmp_path / "third" / "summary.md").read_text()


def test_baseline_from_the_base_commit_keeps_known_findings_from_failing(repo: Path, tmp_path: Path) -> None:
    git(repo, "checkout", "-q", "main")
    with (repo / "app.py").open("a") as fh:
        fh.write(NEW_CODE)
    proc = run_guard("baseline", "create", str(repo))
    assert proc.returncode == 0, proc.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "known debt")
    git(repo, "checkout", "-qb", "shift")
    # lines move: the baselined findings keep their fingerprints, so nothing new
    (repo / "app.py").write_text('"""Module docstring."""\n\n' + (repo / "app.py").read_text())
    git(repo, "commit", "-qam", "docstring")
    proc, doc = scan(repo, tmp_path / "out", "--diff-base", "main")
    assert proc.returncode == 0, proc.stderr
    assert doc["findings"] and all(f["properties"].get("existing") for f in doc["findings"])


def test_bad_diff_base_is_an_error(repo: Path, tmp_path: Path) -> None:
    proc, _ = scan(repo, tmp_path / "out", "--diff-base", "no-such-branch")
    assert proc.returncode == 2
    assert "merge-base" in proc.stderr and "no-such-branch" in proc.stderr
    proc, _ = scan(repo, tmp_path / "out", "--diff-base", "main", "--staged")
    assert proc.returncode == 2 and "cannot be used together" in proc.stderr


def test_staged_mode_gates_on_staged_changes(repo: Path, tmp_path: Path) -> None:
    (repo / "clean.py").write_text("X = 1\n")
    git(repo, "add", "clean.py")
    proc, doc = scan(repo, tmp_path / "a", "--staged")
    assert proc.returncode == 0, proc.stderr
    with (repo / "app.py").open("a") as fh:
        fh.write(NEW_CODE)
    proc, doc = scan(repo, tmp_path / "b", "--staged")
    assert proc.returncode == 0  # not staged yet
    git(repo, "add", "app.py")
    proc, doc = scan(repo, tmp_path / "c", "--staged")
    assert proc.returncode == 1
    assert [f["rule_id"] for f in doc["findings"] if not f["properties"].get("existing")] == ["B602"]


def test_staged_mode_scans_what_the_commit_holds_not_the_files_on_disk(repo: Path, tmp_path: Path) -> None:
    (repo / "keys.py").write_text(SECRET)
    git(repo, "add", "keys.py")
    (repo / "keys.py").write_text("X = 1\n")  # the key is gone from disk, not from the commit
    proc, doc = scan(repo, tmp_path / "a", "--staged")
    assert proc.returncode == 1, proc.stderr
    assert "keys.py changed after `git add`: scanning the staged content" in proc.stderr
    assert {f["location"]["path"] for f in doc["findings"] if f["category"] == "secret"} == {"keys.py"}
    assert doc["target"] == str(repo.resolve()) and doc["commit"] == git(repo, "rev-parse", "HEAD").strip()
    git(repo, "add", "keys.py")  # staged as on disk, and the key typed again without staging it
    (repo / "keys.py").write_text(SECRET)
    proc, doc = scan(repo, tmp_path / "b", "--staged")
    assert proc.returncode == 0, proc.stderr  # the commit holds no key
    assert not [f for f in doc["findings"] if f["category"] == "secret"]


def test_staged_mode_in_a_subfolder_scans_its_staged_content(repo: Path, tmp_path: Path) -> None:
    (repo / "sub").mkdir()
    (repo / "sub" / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: high\n")
    (repo / "sub" / "app.py").write_text(BASE_CODE + NEW_CODE)
    git(repo, "add", "sub")
    (repo / "sub" / "app.py").write_text(BASE_CODE)
    proc, doc = scan(repo / "sub", tmp_path / "a", "--staged")
    assert proc.returncode == 1, proc.stderr
    assert ("B602", "app.py", 9) in {(f["rule_id"], f["location"]["path"], f["location"]["start_line"])
                                     for f in doc["findings"]}  # run(), staged only
    assert doc["target"] == str((repo / "sub").resolve())


def test_comment_summary_and_outputs_in_a_github_job(repo: Path, tmp_path: Path) -> None:
    from tests.unit.test_github import FakeGitHub

    with (repo / "app.py").open("a") as fh:
        fh.write(NEW_CODE)
    git(repo, "commit", "-qam", "add run()")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": "f00d"}}}))
    server = FakeGitHub()
    try:
        for i in range(2):  # two pushes: one comment, edited in place
            summary, outputs = tmp_path / f"summary{i}.md", tmp_path / f"outputs{i}.txt"
            env = {"GITHUB_ACTIONS": "true", "GITHUB_API_URL": server.url, "GITHUB_REPOSITORY": "o/r",
                   "GITHUB_EVENT_PATH": str(event), "GITHUB_TOKEN": "t0ken", "GITHUB_SERVER_URL": "https://gh.test",
                   "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
            proc, _ = scan(repo, tmp_path / f"out{i}", "--diff-base", "main", "--comment", "--sarif-category",
                           "guard-app", env=env)
            assert proc.returncode == 1, proc.stderr
            assert "::error file=app.py,line=9" in proc.stdout
            assert "[app.py:9](https://gh.test/o/r/blob/f00d/app.py#L9)" in summary.read_text()
            got = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
            assert (got["new"], got["high"], got["existing"], got["passed"]) == ("1", "1", "3", "false")
        posts = [r for r in server.requests if r[0] == "POST"]
        patches = [r for r in server.requests if r[0] == "PATCH"]
        assert len(posts) == 1 and len(patches) == 1 and len(server.comments) == 1
        assert "guard: failed" in server.comments[0]["body"]
        sarif = json.loads((tmp_path / "out1" / "guard.sarif").read_text())
        assert {r["automationDetails"]["id"] for r in sarif["runs"]} >= {"guard-app/bandit/"}
    finally:
        server.close()


def test_read_only_token_degrades_to_a_warning(repo: Path, tmp_path: Path) -> None:
    from tests.unit.test_github import FakeGitHub

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    server = FakeGitHub(status=403)
    try:
        env = {"GITHUB_API_URL": server.url, "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": str(event),
               "GITHUB_TOKEN": "ro"}
        proc, _ = scan(repo, tmp_path / "out", "--diff-base", "main", "--comment", env=env)
        assert proc.returncode == 0, proc.stderr
        assert "cannot comment" in proc.stderr and "read-only token" in proc.stderr
    finally:
        server.close()
