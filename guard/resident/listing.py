"""This user's resident guard processes: which listen in the socket folder, and stopping them."""

from __future__ import annotations

import os
import signal
import socket
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from guard.resident import socket_folder

CONNECT_SECONDS = 2.0


@dataclass(frozen=True)
class Resident:
    """One socket of the folder: whether a process listens on it (none: a socket left behind by a process
    that was killed), its pid where the kernel tells it, and whether it serves this guard (interpreter,
    installation, cache folder and import environment)."""

    socket: Path
    listening: bool
    pid: int | None
    this_guard: bool
    command: str = ""  # the process's command line, where /proc shows it


def residents(this_socket: Path | None) -> list[Resident]:
    """Every socket in this user's socket folder, by name."""
    found = []
    for path in _sockets(socket_folder()):
        listening, pid = _listener(path)
        found.append(Resident(path, listening, pid, path == this_socket, _command(pid) if pid else ""))
    return found


def left_behind(folder: Path) -> list[Path]:
    """The sockets in `folder` no process listens on (killed processes left them)."""
    return [path for path in _sockets(folder) if not _listener(path)[0]]


def failure_notes() -> list[Path]:
    """The notes of resident processes that failed to start (commands run in-process meanwhile)."""
    return sorted(socket_folder().glob("*.sock.failed"))


def stop(resident: Resident) -> None:
    """End the resident process (the commands it is running go on to their end) and remove its socket
    (without a pid, that alone ends the process: it checks its socket every `endpoint.WAKE_SECONDS`)."""
    if resident.pid is not None:
        try:
            os.kill(resident.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    resident.socket.unlink(missing_ok=True)


def _sockets(folder: Path) -> list[Path]:
    """The sockets named `*.sock` in `folder`, by name."""
    found = []
    for path in sorted(folder.glob("*.sock")):
        try:
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                found.append(path)
        except OSError:
            continue
    return found


def _listener(path: Path) -> tuple[bool, int | None]:
    """Whether a process listens at `path` (none when the connection is refused; one too busy to answer
    within CONNECT_SECONDS listens), and its pid (its credentials, as the kernel gives them to a client,
    where it does)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CONNECT_SECONDS)
        try:
            sock.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            return False, None
        except OSError:
            return True, None
        if not hasattr(socket, "SO_PEERCRED"):
            return True, None
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", creds)
    return True, pid if uid == os.getuid() else None


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
