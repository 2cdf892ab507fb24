"""Processes a test started, found through /proc: resident guard processes, the tools guard runs."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Callable


def servers(sock: Path) -> list[int]:
    """The pids of resident processes started for `sock` (not the forks running their commands)."""
    found = _servers_and_forks(sock)
    return [pid for pid in found if _parent(pid) not in found]


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def resident_servers(python_under: Path) -> list[int]:
    """The pids of the resident processes run by an interpreter under `python_under` (a hook's
    environment), not the forks running their commands."""
    found = _servers_and_forks(None, python_under)
    return [pid for pid in found if _parent(pid) not in found]


def _servers_and_forks(sock: Path | None, python_under: Path | None = None) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"guard.resident.server" not in argv or (sock is not None and os.fsencode(sock) not in argv):
            continue
        if python_under is None or argv[0].startswith(os.fsencode(python_under)):
            found.append(int(entry.name))
    return found


def stop(sock: Path) -> None:
    for pid in _servers_and_forks(sock):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    sock.unlink(missing_ok=True)


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    pids = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return [child for child in pids if _parent(child) == pid]


def running(program: Path) -> bool:
    """Whether a process has `program` on its command line."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.fsencode(program) in (entry / "cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def slow_tool(path: Path, version: str, slow_version: bool = False) -> Path:
    """A tool at `path` that answers `--version` with `version` and takes a minute to do anything else
    (with `slow_version`, to answer `--version` too)."""
    wait = "sleep 60; " if slow_version else ""
    path.write_text(f'#!/bin/sh\ncase "$1" in --version) {wait}echo "{version}"; exit 0;; esac\nsleep 60\n')
    path.chmod(0o755)
    return path
