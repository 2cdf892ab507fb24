"""The `guard` hook with the real pre-commit framework, installed from this checkout.

Like `pre-commit try-repo`, the hook repository is a clone of this checkout's HEAD plus its
uncommitted changes to tracked files; unlike try-repo, the hook environment is built once per test
session (pre-commit's store lives in a session directory), then real `git commit`s run the hook.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from guard.tools.envs import resolve
from tests.conftest import ROOT
from tests.integration.process_helpers import kill_all, servers, tool_servers, wait_for

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed (guard tools install bandit)"),
              pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")]

HIGH = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"  # bandit B602, high


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=900, check=False)


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A commit of this checkout as it is now (HEAD + tracked changes), for pre-commit to install from."""
    shadow = tmp_path_factory.mktemp("hook") / "guard"
    assert git(ROOT.parent, "clone", "-q", str(ROOT), str(shadow)).returncode == 0
    changed = git(ROOT, "diff", "--name-only", "-z", "HEAD").stdout.split("\0")
    for name in filter(None, changed):
        src = ROOT / name
        if src.is_file():
            (shadow / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, shadow / name)
        else:
            (shadow / name).unlink(missing_ok=True)
    git(shadow, "add", "-A")
    git(shadow, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "working tree", "--allow-empty")
    return shadow, git(shadow, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(request: pytest.FixtureRequest, tmp_path: Path, hook_repo: tuple[Path, str],
            pre_commit_home: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A repository with guard's hook installed (the hook id: the test's parameter, else `guard`)."""
    hook_id = getattr(request, "param", "guard")
    repo = tmp_path / "project"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GIT_", "GUARD_RESIDENT"))}
    env.update(PRE_COMMIT_HOME=str(pre_commit_home), GIT_AUTHOR_NAME="dev", GIT_AUTHOR_EMAIL="dev@example.com",
               GIT_COMMITTER_NAME="dev", GIT_COMMITTER_EMAIL="dev@example.com")
    git(repo, "init", "-q", "-b", "main", env=env)
    path, rev = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n      - id: {hook_id}\n")
    (repo / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: high\n")
    (repo / "old.py").write_text(HIGH.replace("run", "legacy"))  # committed before the hook: existing debt
    git(repo, "add", "-A", env=env)
    assert git(repo, "commit", "-qm", "init", env=env).returncode == 0
    proc = subprocess.run(["pre-commit", "install"], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    yield repo, env
    for pid in servers(python_under=pre_commit_home):  # the resident hook's (its environment is under there)
        os.kill(pid, signal.SIGTERM)  # as `guard resident stop` does: it removes its socket
    kill_all(tool_servers(pre_commit_home))  # the warm tool processes its scans started


@pytest.mark.parametrize("project", ["guard", "guard-resident"], indirect=True)
def test_commit_with_a_high_finding_is_blocked_and_a_clean_one_passes(project: tuple[Path, dict[str, str]],
                                                                      request: pytest.FixtureRequest) -> None:
    repo, env = project
    resident = "resident" in request.node.callspec.id
    home = Path(env["PRE_COMMIT_HOME"])
    known = set(servers(python_under=home))
    (repo / "bad.py").write_text(HIGH)
    git(repo, "add", "bad.py", env=env)
    blocked = git(repo, "commit", "-m", "add bad", env=env)
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    output = blocked.stdout + blocked.stderr
    assert "B602" in output and "bad.py" in output
    assert git(repo, "log", "--oneline", env=env).stdout.count("\n") == 1  # nothing was committed
    if resident:  # the first commit ran in-process and started a resident guard for the next
        assert wait_for(lambda: len(set(servers(python_under=home)) - known) == 1)
        known = set(servers(python_under=home)) - known

    git(repo, "reset", "-q", "bad.py", env=env)
    (repo / "bad.py").unlink()
    (repo / "clean.py").write_text("def add(a, b):\n    return a + b\n")
    # an unrelated edit to a file with an old finding: only the staged lines count
    (repo / "old.py").write_text("# touched\n" + (repo / "old.py").read_text())
    git(repo, "add", "clean.py", "old.py", env=env)
    passed = git(repo, "commit", "-m", "add clean", env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "guard" in passed.stdout + passed.stderr  # the hook did run
    assert git(repo, "log", "--oneline", env=env).stdout.count("\n") == 2
    if resident:
        assert known <= set(servers(python_under=home))  # it took the commit's scan and waits for the next
