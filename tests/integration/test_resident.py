"""Resident mode: a scan run by the resident process gives what it gives in-process, in the caller's
folder, environment and streams; the process serves only while its code is what it imported."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from guard import resident
from guard.resident import client
from guard.resident.snapshot import Snapshot
from guard.tools.envs import resolve
from tests.integration.process_helpers import (
    children, kill_all, running, servers, slow_tool, stop, tool_servers, wait_for,
)

needs_bandit = pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed (guard tools install bandit)")
HIGH = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"  # bandit B602, high
LIFETIME = 120.0


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(HIGH)
    (root / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: high\n")
    return root


@pytest.fixture
def sock(own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's resident socket, in a socket folder of its own (with the warm tool processes its scans
    start), ended after the test."""
    tmp = Path(tempfile.mkdtemp(prefix="gs-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv(resident.ENV, "2")
    path = resident.socket_path()
    yield path
    stop(path)
    kill_all(tool_servers(tmp))
    shutil.rmtree(tmp, ignore_errors=True)


def started(argv: list[str], sock: Path) -> None:
    """No resident process yet: the first command is not taken (it runs in-process) and starts one."""
    assert client.run(argv, LIFETIME) is None
    assert wait_for(sock.exists), "the resident process did not start listening"


def in_process(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != resident.ENV} | env
    return subprocess.run([sys.executable, "-m", "guard", *argv], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=300, check=False)


def comparable(findings_json: Path) -> dict:
    doc = json.loads(findings_json.read_text())
    for key in ("started", "finished"):
        doc.pop(key, None)
    for run in doc.get("scanners", []):
        run.pop("seconds", None)
    return doc


@needs_bandit
def test_a_resident_scan_matches_the_in_process_one(repo: Path, sock: Path, tmp_path: Path,
                                                   capfd: pytest.CaptureFixture[str]) -> None:
    argv = ["scan", str(repo), "--no-cache", "--format", "json", "-o"]
    started([*argv, str(tmp_path / "first")], sock)
    code = client.run([*argv, str(tmp_path / "resident")], LIFETIME)
    out = capfd.readouterr()
    here = in_process([*argv, str(tmp_path / "here")], Path.cwd())  # the cwd the resident command had
    assert code == here.returncode == 1, out.err + here.stderr
    assert comparable(tmp_path / "resident" / "findings.json") == comparable(tmp_path / "here" / "findings.json")
    assert "B602" in json.dumps(comparable(tmp_path / "resident" / "findings.json"))
    assert "wrote" in out.err  # the command's stderr is the caller's


@needs_bandit
def test_each_command_runs_in_the_callers_folder_and_environment(repo: Path, sock: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo)
    started(["scan", "--quiet"], sock)
    assert client.run(["scan", "."], LIFETIME) == 1  # fail_on high, from .guard.yaml in the caller's folder
    assert "B602" in capfd.readouterr().out  # the table, on the caller's stdout
    monkeypatch.setenv("GUARD_FAIL_ON", "critical")  # the same resident process, another environment
    assert client.run(["scan", ".", "--quiet"], LIFETIME) == 0
    monkeypatch.delenv("GUARD_FAIL_ON")
    assert client.run(["scan", ".", "--quiet", "--soft-fail"], LIFETIME) == 0
    assert client.run(["scan", ".", "--quiet", "--scanners", "nosuch"], LIFETIME) == 2
    assert "nosuch" in capfd.readouterr().err
    assert len(servers(sock)) == 1


@needs_bandit
def test_commands_sent_at_once_each_get_a_fork(repo: Path, sock: Path, tmp_path: Path) -> None:
    started(["scan", str(repo), "--quiet"], sock)
    (server,) = servers(sock)
    callers = [subprocess.Popen([sys.executable, "-m", "guard", "scan", str(repo), "--no-cache", "--format", "json",
                                 "-o", str(tmp_path / f"out{i}"), "--quiet"], stderr=subprocess.PIPE, text=True)
               for i in range(3)]
    for caller in callers:
        _out, err = caller.communicate(timeout=300)
        assert caller.returncode == 1, err
    assert all("B602" in (tmp_path / f"out{i}" / "findings.json").read_text() for i in range(3))
    assert servers(sock) == [server]  # all three taken by it: none ran in-process (that starts another)


def test_a_command_whose_folder_is_gone_runs_in_process(sock: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    started(["scan", "--quiet"], sock)
    (server,) = servers(sock)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert client.run(["scan", ".", "--quiet"], LIFETIME) is None  # the in-process run reports it
    assert servers(sock) == [server]  # and no other resident process is started
    here = subprocess.run([sys.executable, "-m", "guard", "scan", "."], capture_output=True, text=True, check=False)
    assert here.returncode == 2
    assert here.stderr.startswith("guard: no working folder")


@pytest.fixture
def extra_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An import folder (PYTHONPATH) of the commands, set before `sock` is worked out (it is part of the key)."""
    extra = tmp_path / "site"
    extra.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(extra))
    return extra


@needs_bandit
def test_a_resident_process_whose_imports_changed_hands_the_command_back_and_exits(
        repo: Path, extra_site: Path, sock: Path) -> None:
    started(["scan", str(repo), "--quiet"], sock)
    assert client.run(["scan", str(repo), "--quiet"], LIFETIME) == 1
    (old,) = servers(sock)
    (extra_site / "newly_installed.py").write_text("")  # as installing a package does
    assert client.run(["scan", str(repo), "--quiet"], LIFETIME) is None  # stale: run in-process
    assert wait_for(lambda: old not in servers(sock), 30)
    assert wait_for(lambda: len(servers(sock)) == 1 and sock.exists())  # a new one, for the next command
    assert client.run(["scan", str(repo), "--quiet"], LIFETIME) == 1


@pytest.fixture
def slow_repo(repo: Path, tmp_path: Path) -> Path:
    """`repo` with a bandit that takes a minute."""
    fake = slow_tool(tmp_path / "slow-bandit", "bandit 1.9.4")
    (repo / ".guard.yaml").write_text(f"scanners: [bandit]\ntools:\n  bandit: {{path: {fake}}}\n")
    return repo


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGKILL, -signal.SIGKILL)])
def test_a_resident_command_ends_when_its_caller_is_interrupted_or_killed(slow_repo: Path, sock: Path,
                                                                           signum: int, code: int) -> None:
    started(["scan", str(slow_repo), "--quiet", "--no-cache"], sock)
    (server,) = servers(sock)
    caller = subprocess.Popen([sys.executable, "-m", "guard", "scan", str(slow_repo), "--quiet", "--no-cache"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert wait_for(lambda: len(children(server)) == 1, 30), "the command did not start in the resident process"
    fake = slow_repo.parent / "slow-bandit"
    assert wait_for(lambda: running(fake), 30), "the tool did not start"
    caller.send_signal(signum)
    assert caller.wait(timeout=30) == code
    assert wait_for(lambda: not children(server), 30), "the command outlived its caller"
    assert wait_for(lambda: not running(fake), 30), "the tool outlived the command"
    assert servers(sock) == [server]  # the resident process itself goes on


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary folder with a short path (a socket path holds about 100 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="gr-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_socket_folder_others_can_enter_is_not_used(short_tmp: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TMPDIR", str(short_tmp))
    folder = short_tmp / f"guard-{os.getuid()}"
    folder.mkdir(mode=0o700)
    assert resident.socket_path().parent == folder
    folder.chmod(0o777)
    with pytest.raises(resident.Unavailable, match="not a folder of this user's alone"):
        resident.socket_path()
    assert client.run(["scan"], LIFETIME) is None
    assert "no resident process" in capsys.readouterr().err  # said, then run in-process
    assert list(folder.iterdir()) == []  # no resident process started there
    folder.rmdir()
    folder.symlink_to(short_tmp)
    with pytest.raises(resident.Unavailable):
        resident.socket_path()


def test_guard_resident_shows_and_stops_this_users_resident_processes(short_tmp: Path, own_cache: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(short_tmp))
    monkeypatch.setenv(resident.ENV, "2")
    sock = resident.socket_path()
    left = sock.with_name("0" * 20 + ".sock")  # the socket of a resident process that was killed
    try:
        started(["scan"], sock)
        (server,) = servers(sock)
        with socket.socket(socket.AF_UNIX) as bound:
            bound.bind(str(left))
        shown = in_process(["resident", "status", "--json"], short_tmp)
        assert shown.returncode == 0, shown.stderr
        entries = {Path(e["socket"]): e for e in json.loads(shown.stdout)["residents"]}
        assert set(entries) == {sock, left}
        assert (entries[sock]["listening"], entries[sock]["pid"], entries[sock]["this_guard"]) == (True, server, True)
        assert "guard.resident.server" in entries[sock]["command"]
        assert (entries[left]["listening"], entries[left]["pid"], entries[left]["this_guard"]) == (False, None, False)
        stopped = in_process(["resident", "stop"], short_tmp)
        assert "stopped 1 resident process(es), removed 1 socket(s) left behind" in stopped.stdout
        assert wait_for(lambda: not servers(sock), 30), "the resident process did not exit"
        assert not sock.exists() and not left.exists()
        assert in_process(["resident", "status"], short_tmp).stdout.strip() == "no resident guard process"
    finally:
        stop(sock)


def test_a_starting_resident_process_removes_sockets_killed_processes_left(short_tmp: Path, own_cache: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(short_tmp))
    sock = resident.socket_path()
    left = sock.with_name("0" * 20 + ".sock")  # the socket of a resident process that was killed
    with socket.socket(socket.AF_UNIX) as bound:
        bound.bind(str(left))
    kept = sock.with_name("1" * 20 + ".sock")  # a process listening there
    listening = socket.socket(socket.AF_UNIX)
    try:
        listening.bind(str(kept))
        listening.listen(1)
        started(["scan"], sock)
        assert wait_for(lambda: not left.exists(), 30), "the socket left behind is still there"
        assert kept.exists()
    finally:
        listening.close()
        stop(sock)


def test_a_resident_process_that_cannot_start_is_not_started_again_by_every_command(
        short_tmp: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    broken = short_tmp / "site"
    broken.mkdir()
    (broken / "regorus.py").write_text("raise ImportError('regorus broken for this test')\n")
    monkeypatch.setenv("PYTHONPATH", str(broken))  # what the resident process imports, not this one
    monkeypatch.setenv("TMPDIR", str(short_tmp))
    sock = resident.socket_path()
    note = resident.failure_note(sock)
    starts: list[list[str]] = []
    popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda argv, **kw: starts.append(argv) or popen(argv, **kw))
    assert client.run(["scan"], LIFETIME) is None
    assert wait_for(note.exists, 60), "the failed start left no note"
    assert wait_for(lambda: not servers(sock), 30) and len(starts) == 1
    capsys.readouterr()
    assert client.run(["scan"], LIFETIME) is None  # in-process, no new start
    assert len(starts) == 1 and not sock.exists()
    assert "failed to start" in (err := capsys.readouterr().err) and "regorus broken for this test" in err
    shown = in_process(["resident", "status", "--json"], short_tmp, PYTHONPATH="")
    assert json.loads(shown.stdout)["failed_starts"] == [str(note)]
    in_process(["resident", "stop"], short_tmp, PYTHONPATH="")
    assert not note.exists()  # the next command tries again


def test_callers_importing_differently_get_resident_processes_of_their_own(monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    monkeypatch.delenv("PYTHONPATH", raising=False)
    plain = resident.socket_path()
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # a plugin scanner could be imported from there
    assert resident.socket_path() != plain
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "other-cache"))
    assert len({plain, resident.socket_path()}) == 2


def test_a_socket_path_too_long_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / ("x" * 100)))
    (tmp_path / ("x" * 100)).mkdir()
    with pytest.raises(resident.Unavailable, match="too long"):
        resident.socket_path()


@pytest.mark.parametrize(("value", "seconds"), [("15", 900.0), ("0.5", 30.0), ("", None), ("0", None)])
def test_the_lifetime_is_minutes_from_the_environment(value: str, seconds: float | None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(resident.ENV, value)
    assert resident.wanted(["scan", "."]) == seconds
    assert resident.wanted(["evidence", "export"]) is None  # only scans run resident


@pytest.mark.parametrize("value", ["soon", "-3", "100000"])
def test_a_lifetime_that_is_no_number_of_minutes_runs_in_process_and_says_so(
        value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(resident.ENV, value)
    assert resident.wanted(["scan"]) is None
    assert f"{resident.ENV}={value!r}" in capsys.readouterr().err


def test_a_snapshot_changes_with_a_file_or_folder_it_holds(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("x = 1\n")
    taken = Snapshot.of([str(module), str(tmp_path)])
    assert not taken.changed()
    module.write_text("x = 22\n")
    assert taken.changed()
    module.write_text("x = 1\n")
    retaken = Snapshot.of([str(module), str(tmp_path)])
    (tmp_path / "n.py").write_text("")
    assert retaken.changed()
