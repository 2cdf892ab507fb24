"""A command run by the resident process (see `guard.resident`), or the resident process started for
the next command."""

from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from guard.resident import Unavailable, failure_note, recent_failure, socket_path, wire

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def run(argv: list[str], lifetime: float) -> int | None:
    """The exit code of `argv` (without the program name) run by the resident process; None when no
    resident process took it (none listens, it is exiting): then one is started for the next command
    and the caller runs this one in-process."""
    try:
        path = socket_path()
    except Unavailable as exc:
        sys.stderr.write(f"guard: no resident process ({exc}); running in-process\n")
        return None
    try:
        request = _request(argv)
    except OSError:
        return None  # no working folder (removed): the in-process run says so
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
            wire.send_request(sock, request, _streams())
        except OSError:
            return _start(path, lifetime)
        lines = wire.Lines(sock)
        first = lines.next()
        if first is None or not first.startswith(b"pid "):
            return _start(path, lifetime)  # stale, or it exited before it took the command
        return _wait(lines, int(first[4:]))


def _request(argv: list[str]) -> dict[str, Any]:
    return {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": _umask(),
            "encodings": [[s.encoding, s.errors] if s is not None else None
                          for s in (sys.stdin, sys.stdout, sys.stderr)]}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _streams() -> list[int]:
    """Descriptors 0-2 (a closed one replaced by the null device)."""
    fds = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            fds.append(os.open(os.devnull, os.O_RDWR))
    return fds


def _wait(lines: wire.Lines, pid: int) -> int:
    """The command's exit code; the signals that would end this process are passed on to it."""
    def forward(signum: int, _frame: Any) -> None:
        try:
            os.kill(pid, signum)
        except OSError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    line = lines.next()
    if line is None or not line.startswith(b"exit "):
        sys.stderr.write(f"guard: the resident guard process running this command (pid {pid}) ended without "
                         "an exit code\n")
        return 2
    return int(line[5:])


def _start(path: Path, lifetime: float) -> None:
    """Start a resident process listening at `path` (detached: it outlives this command); not within
    RETRY_SECONDS of one that failed to start (`recent_failure`)."""
    import subprocess

    failed = recent_failure(path)
    try:
        if failed is not None:
            age, note = failed
            why = next((ln for ln in reversed(note.read_text(errors="replace").splitlines()) if ln.strip()), "")
            sys.stderr.write(f"guard: no resident process: one failed to start {age:.0f} s ago ({why.strip()}; "
                             f"{note}); running in-process\n")
            return None
        failure_note(path).unlink()  # an old one
    except OSError:
        pass  # none failed (or its note is gone)
    try:
        # -P and the root folder: the working folder (a repository, changing with every commit) is no
        # import folder of the resident process
        subprocess.Popen([sys.executable, "-P", "-m", "guard.resident.server", str(path), str(lifetime)],
                         cwd=os.path.abspath(os.sep), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError as exc:
        sys.stderr.write(f"guard: cannot start a resident guard process: {exc}\n")
    return None
