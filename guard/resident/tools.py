"""Warm tool processes in resident mode: a Python tool (checkov, bandit, detect-secrets) run by a fork of a process of
its own interpreter that has imported it (`tool_server`), instead of a fresh interpreter importing it again.

With `$GUARD_RESIDENT` set, a scan runs such a tool through its warm process when one listens (this user's,
for this interpreter and script); when none does, the tool runs as usual and a warm process is started for the
next scan, which waits as long as a resident guard process does. The run is the tool's own code with the
scan's arguments, folder, environment and output files; what differs is only that its modules were imported
before (by the same interpreter, from the same files: a file changed on disk makes the warm process stale).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
from pathlib import Path
from typing import Sequence

from guard.resident import IMPORT_ENV, Unavailable, lifetime, recent_failure, short_enough, socket_folder, wire

SERVER = str(Path(__file__).with_name("tool_server.py"))
PREFIX = "tool-"  # of a warm tool process's socket name, in the resident sockets' folder
HANDSHAKE_SECONDS = 10.0  # for a warm process to take a run and say its pid (else the tool runs as usual)


class WarmRun:
    """A tool run by a warm process, as `LiveTools` tracks a started tool: `pid` leads its process group (kill
    that to end it), `wait` its exit code (negative: the signal that ended it)."""

    def __init__(self, sock: socket.socket, lines: wire.Lines, pid: int) -> None:
        self.sock, self.lines, self.pid = sock, lines, pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.sock.settimeout(timeout)
            try:
                line = self.lines.next()
            except socket.timeout:
                raise subprocess.TimeoutExpired(f"warm run {self.pid}", timeout or 0) from None
            self.sock.close()
            # no exit line: its monitor was killed (a timeout, an interrupt) with the run
            self.returncode = int(line[5:]) if line is not None and line.startswith(b"exit ") else -signal.SIGKILL
        return self.returncode


def python_script(argv: Sequence[str]) -> tuple[str, str, list[str]] | None:
    """(interpreter, script, arguments) of a command that runs a Python script: `python script.py ...`, or a
    console script whose first line names its interpreter; None for anything else (a binary, a shell script)."""
    if len(argv) >= 2 and os.path.basename(argv[0]).startswith("python") and argv[1].endswith(".py"):
        return argv[0], argv[1], list(argv[2:])
    try:
        with open(argv[0], "rb") as fh:
            first = fh.readline(4096)
    except OSError:
        return None
    interpreter = first[2:].strip().decode("utf-8", "replace") if first.startswith(b"#!") else ""
    if " " in interpreter or not os.path.basename(interpreter).startswith("python") or not os.path.isfile(interpreter):
        return None
    return interpreter, argv[0], list(argv[1:])


def start(argv: Sequence[str], *, cwd: Path, stdout: int, stderr: int, env: dict[str, str]) -> WarmRun | None:
    """`argv` run by its warm process, started; None when it cannot be (not resident mode, not a Python script,
    no warm process yet: one is started for the next scan, or one is stale), and the caller runs it as usual."""
    minutes = lifetime()
    parts = python_script(argv) if minutes is not None and hasattr(os, "fork") else None
    if parts is None:
        return None
    python, script, args = parts
    try:
        path = _socket(python, script, env)
    except Unavailable:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(HANDSHAKE_SECONDS)
    try:
        sock.connect(str(path))
        with open(os.devnull, "rb") as stdin:
            wire.send_request(sock, {"argv": args, "cwd": str(cwd), "env": env, "umask": _umask()},
                              [stdin.fileno(), stdout, stderr])
        lines = wire.Lines(sock)
        line = lines.next()
    except OSError:  # none listens (or it does not answer): one is started
        sock.close()
        _start_server(path, python, script, minutes, env)
        return None
    if line is None or not line.startswith(b"pid "):  # stale (it exits), or it failed to fork
        sock.close()
        if line == wire.STALE:
            _start_server(path, python, script, minutes, env)
        return None
    return WarmRun(sock, lines, int(line[4:]))


def _socket(python: str, script: str, env: dict[str, str]) -> Path:
    """The warm process's socket for this interpreter, script and import environment (callers differing in
    what decides the tool's imports get one each)."""
    who = "\0".join([os.path.realpath(python), os.path.realpath(script), os.path.realpath(SERVER),
                     *(env.get(name, "") for name in IMPORT_ENV)])
    return short_enough(socket_folder() / f"{PREFIX}{hashlib.sha256(who.encode()).hexdigest()[:20]}.sock")


def _start_server(path: Path, python: str, script: str, seconds: float, env: dict[str, str]) -> None:
    """A warm process for `script` at `path`, detached (it outlives this scan), in the tool's environment; not
    within RETRY_SECONDS of one that failed to start (`recent_failure`)."""
    if recent_failure(path) is not None:
        return
    try:
        subprocess.Popen([python, SERVER, str(path), str(seconds), script], cwd=os.path.abspath(os.sep), env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True)
    except OSError:
        pass  # the tool runs as usual meanwhile


def _umask() -> int | None:
    """This process's umask as Linux shows it (setting it to read it would change it for the other threads);
    None elsewhere: the run keeps its warm process's (the one of the scan that started it)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            return next((int(line.split()[1], 8) for line in fh if line.startswith("Umask:")), None)
    except (OSError, ValueError, IndexError):
        return None
