"""Processes a test started, found through /proc: resident guard processes, the tools guard runs."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Callable, Iterator


def servers(sock: Path | None = None, python_under: Path | None = None) -> list[int]:
    """The pids of resident processes (not the forks running their commands): those started for `sock`,
    or run by an interpreter under `python_under` (a hook's environment)."""
    found = _servers_and_forks(sock, python_under)
    parents = {pid: _parent(pid) for pid in found}
    # a fork that exited between the two reads has no parent left to tell: it is no server
    return [pid for pid, parent in parents.items() if parent is not None and parent not in found]


def _parent(pid: int) -> int | None:
    """The parent of `pid`; None when it has exited."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _servers_and_forks(sock: Path | None, python_under: Path | None = None) -> list[int]:
    return [pid for pid, argv in _processes() if b"guard.resident.server" in argv
            and (sock is None or os.fsencode(sock) in argv)
            and (python_under is None or argv[0].startswith(os.fsencode(python_under)))]


def tool_servers(mentioning: Path) -> list[int]:
    """The pids of warm tool processes (`guard.resident.tool_server`) whose command line mentions `mentioning`
    (their socket's folder, or the guard installation they run from)."""
    return [pid for pid, argv in _processes() if any(arg.endswith(b"tool_server.py") for arg in argv)
            and any(os.fsencode(mentioning) in arg for arg in argv)]


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _processes() -> Iterator[tuple[int, list[bytes]]]:
    """Every process's pid and command line."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield int(entry.name), (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue


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
    return any(os.fsencode(program) in argv for _, argv in _processes())


def slow_tool(path: Path, version: str, slow_version: bool = False) -> Path:
    """A tool at `path` that answers `--version` with `version` and takes a minute to do anything else
    (with `slow_version`, to answer `--version` too)."""
    wait = "sleep 60; " if slow_version else ""
    path.write_text(f'#!/bin/sh\ncase "$1" in --version) {wait}echo "{version}"; exit 0;; esac\nsleep 60\n')
    path.chmod(0o755)
    return path
