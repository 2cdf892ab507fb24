"""Warm tool processes in resident mode: a Python tool's run forked from a process that imported it gives what
a fresh run gives (the real bandit and detect-secrets), in the run's folder, environment and output files, with
its exit code; a timeout or an interrupt ends it; a changed file makes the warm process stale."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from guard import config as config_mod
from guard import resident
from guard.resident import tools
from guard.scanners.bandit import BanditScanner
from guard.scanners.base import kill_session
from guard.scanners.detect_secrets import DetectSecretsScanner
from guard.scanners.runner import run_one
from guard.tools.envs import resolve
from tests.integration.process_helpers import kill_all, tool_servers, wait_for

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="warm tool processes fork")
HIGH = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"  # bandit B602, high
SECRET = 'api_password = "Kx81bq-hunter2-Zr93"\n'


@pytest.fixture
def warm_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Resident mode with a socket folder of this test's own (a short path); its warm processes ended after."""
    tmp = Path(tempfile.mkdtemp(prefix="gw-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv(resident.ENV, "2")
    yield resident.socket_folder()
    kill_all(tool_servers(tmp))
    shutil.rmtree(tmp, ignore_errors=True)


def _listening(folder: Path, n: int) -> bool:
    return len(list(folder.glob("tool-*.sock"))) >= n


def fake_tool(path: Path, body: str) -> Path:
    """A console script run by this interpreter (as pip writes one)."""
    path.write_text(f"#!{sys.executable}\nimport os, sys, time\nif __name__ == '__main__':\n{body}")
    path.chmod(0o755)
    return path


def run_warm(argv: list[str], cwd: Path, tmp: Path, env: dict[str, str] | None = None,
             timeout: float = 60) -> tuple[int, str, str] | None:
    out, err = tmp / "out", tmp / "err"
    with open(out, "wb") as o, open(err, "wb") as e:
        run = tools.start(argv, cwd=cwd, stdout=o.fileno(), stderr=e.fileno(), env=env or dict(os.environ))
        if run is None:
            return None
        code = run.wait(timeout)
    return code, out.read_text(), err.read_text()


def test_python_scripts_are_told_from_other_commands(tmp_path: Path) -> None:
    script = fake_tool(tmp_path / "tool", "    pass\n")
    assert tools.python_script([str(script), "-q", "x.py"]) == (sys.executable, str(script), ["-q", "x.py"])
    assert tools.python_script([sys.executable, "start.py", "scan"]) == (sys.executable, "start.py", ["scan"])
    shell = tmp_path / "sh-tool"
    shell.write_text("#!/bin/sh\necho hi\n")
    assert tools.python_script([str(shell)]) is None
    assert tools.python_script(["/bin/true"]) is None


def test_a_warm_run_has_the_runs_folder_environment_streams_and_exit_code(warm_folder: Path, tmp_path: Path) -> None:
    script = fake_tool(tmp_path / "tool", "    print(os.getcwd(), os.environ['GUARD_TEST_VALUE'], sys.argv[1:])\n"
                                          "    sys.stderr.write('to stderr\\n')\n    sys.exit(3)\n")
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "GUARD_TEST_VALUE": "first"}
    assert run_warm([str(script), "a", "b"], work, tmp_path, env) is None  # none yet: one starts for the next
    assert wait_for(lambda: _listening(warm_folder, 1)), "no warm process started"
    code, out, err = run_warm([str(script), "a", "b"], work, tmp_path, {**env, "GUARD_TEST_VALUE": "second"})
    assert (code, out, err) == (3, f"{work} second ['a', 'b']\n", "to stderr\n")


def test_a_warm_run_that_times_out_is_killed_with_its_process_group(warm_folder: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    script = fake_tool(tmp_path / "tool", f"    open({str(marker)!r}, 'w').write(str(os.getpid()))\n"
                                          "    time.sleep(60)\n")
    assert run_warm([str(script)], tmp_path, tmp_path, timeout=1) is None  # none yet: one starts
    assert wait_for(lambda: _listening(warm_folder, 1))
    marker.unlink(missing_ok=True)
    with open(tmp_path / "out", "wb") as o:
        run = tools.start([str(script)], cwd=tmp_path, stdout=o.fileno(), stderr=o.fileno(), env=dict(os.environ))
        assert run is not None
        with pytest.raises(subprocess.TimeoutExpired):
            run.wait(timeout=1)
        assert wait_for(marker.exists)
        kill_session(run)  # as guard's runner does on a timeout
        assert run.wait() == -signal.SIGKILL
    sleeper = int(marker.read_text())
    assert wait_for(lambda: not Path(f"/proc/{sleeper}").exists() or "Z" in Path(f"/proc/{sleeper}/stat").read_text()
                    .rpartition(")")[2][:3], 10), "the run outlived its kill"


def test_a_changed_tool_file_makes_the_warm_process_stale(warm_folder: Path, tmp_path: Path) -> None:
    script = fake_tool(tmp_path / "tool", "    print('one')\n")
    assert run_warm([str(script)], tmp_path, tmp_path) is None
    assert wait_for(lambda: _listening(warm_folder, 1))
    assert run_warm([str(script)], tmp_path, tmp_path)[:2] == (0, "one\n")
    fake_tool(script, "    print('two')\n")  # an upgrade: the warm process imported the old file
    old = set(tool_servers(warm_folder.parent))
    assert run_warm([str(script)], tmp_path, tmp_path) is None  # stale: run as usual, a new one started
    assert wait_for(lambda: set(tool_servers(warm_folder.parent)) - old and _listening(warm_folder, 1))
    assert wait_for(lambda: (run_warm([str(script)], tmp_path, tmp_path) or (0, ""))[1] == "two\n", 30)


def test_without_resident_mode_nothing_runs_warm(warm_folder: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resident.ENV)
    script = fake_tool(tmp_path / "tool", "    pass\n")
    assert run_warm([str(script)], tmp_path, tmp_path) is None
    time.sleep(1)
    assert not tool_servers(warm_folder.parent) and not list(warm_folder.iterdir())  # and none started


@pytest.mark.skipif(resolve("bandit") is None or resolve("detect-secrets") is None,
                    reason="bandit and detect-secrets (guard tools install)")
def test_bandit_and_detect_secrets_warm_find_what_they_find_cold(warm_folder: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(HIGH + SECRET)
    cfg = config_mod.load(repo, flags={"cache": False})
    warm_runs: list[object] = []
    start = tools.start
    monkeypatch.setattr(tools, "start", lambda *a, **k: warm_runs.append(run := start(*a, **k)) or run)

    def findings(scanner_class: type, n: int) -> list[tuple]:
        run = run_one(scanner_class(cfg), repo, ["app.py"], tmp_path / f"work-{scanner_class.__name__}-{n}", cfg)
        assert run.status.value == "ok", run.reason
        return sorted((f.rule_id, f.location.start_line, f.message, f.fingerprint) for f in run.findings)

    cold = {cls: findings(cls, 0) for cls in (BanditScanner, DetectSecretsScanner)}  # (and warm ones start)
    assert warm_runs == [None, None] and all(cold.values())
    assert wait_for(lambda: _listening(warm_folder, 2), 60), "no warm processes started"
    warm = {cls: findings(cls, 1) for cls in (BanditScanner, DetectSecretsScanner)}
    assert all(isinstance(run, tools.WarmRun) for run in warm_runs[2:]) and len(warm_runs) == 4
    assert warm == cold


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov (guard tools install checkov)")
def test_checkov_warm_finds_what_it_finds_cold(warm_folder: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """checkov through guard's start script: its warm process imports all of checkov first (`warm_up`), and a
    run takes its own arguments (checkov's default is the arguments it was imported with: the warm process's)."""
    from guard.scanners.checkov import CheckovScanner

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "s3.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  acl    = "public-read"\n}\n')
    cfg = config_mod.load(repo, flags={"cache": False})
    warm_runs: list[object] = []
    start = tools.start
    monkeypatch.setattr(tools, "start", lambda *a, **k: warm_runs.append(run := start(*a, **k)) or run)

    def findings(n: int) -> list[tuple]:
        run = run_one(CheckovScanner(cfg), repo, ["s3.tf"], tmp_path / f"work-{n}", cfg)
        assert run.status.value == "ok", run.reason
        return sorted((f.rule_id, f.location.start_line, f.message, f.fingerprint) for f in run.findings)

    cold = findings(0)
    assert warm_runs == [None] and cold
    assert wait_for(lambda: _listening(warm_folder, 1), 120), "no warm process started"
    warm = findings(1)
    assert isinstance(warm_runs[1], tools.WarmRun) and warm == cold
