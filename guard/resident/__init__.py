"""Resident mode: a guard process that has imported guard waits on a Unix socket and forks a copy of
itself for each command, so the command starts without the interpreter's start-up and guard's imports
(about a fifth of a pre-commit hook's time).

Asked for with `GUARD_RESIDENT=<minutes>`: how long the resident process waits for the next command
before it exits. Each command runs in a fresh fork, in the caller's working folder, environment and
terminal, and ends with the output and exit code it has in-process; the first command (and any command
the resident process cannot take) runs in-process and starts one for the next. A resident process
serves only its own user, and exits when any module it imported, guard's package or an import folder
changes on disk. Its scans run Python tools through warm processes of their own interpreters alike
(`guard.resident.tools`).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

ENV = "GUARD_RESIDENT"
COMMANDS = frozenset({"scan"})  # commands run resident (the ones run thousands of times a day)
_SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
# what decides the resident process's imports (its forks keep them): callers differing here get one each
IMPORT_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE")
RETRY_SECONDS = 600.0  # after a resident process failed to start, commands run in-process this long


def lifetime() -> float | None:
    """Seconds a resident process waits idle, from `$GUARD_RESIDENT` (minutes); None when not asked for
    (unset, 0) or not a positive number (said on stderr)."""
    text = os.environ.get(ENV, "").strip()
    if not text or text == "0":
        return None
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not 0 < minutes <= 24 * 60:
        sys.stderr.write(f"guard: {ENV}={text!r} is not a number of minutes (0-1440); running in-process\n")
        return None
    return minutes * 60


def wanted(argv: list[str]) -> float | None:
    """The resident lifetime when `argv` (without the program name) is a command run resident, else None."""
    if not argv or argv[0] not in COMMANDS or not hasattr(os, "fork") or not hasattr(os, "getuid"):
        return None
    return lifetime()


class Unavailable(Exception):
    """Why no resident process can serve this user here."""


def socket_folder() -> "Path":
    """The folder of this user's resident sockets: in $TMPDIR (else /tmp), only this user can enter it
    (Unavailable when it is unsafe: another owner, a link, open to others)."""
    import stat
    from pathlib import Path

    # not tempfile.gettempdir(): importing tempfile costs about 10 ms of a command's start-up
    folder = Path(os.environ.get("TMPDIR") or "/tmp") / f"guard-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except OSError as exc:
        raise Unavailable(f"cannot make {folder}: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise Unavailable(f"{folder} is not a folder of this user's alone")
    return folder


def socket_path() -> "Path":
    """The socket of the resident process for this interpreter, guard installation, cache folder and import
    environment, in `socket_folder()` (Unavailable when that is unsafe or the path is too long for a socket)."""
    import hashlib
    from pathlib import Path

    from guard.paths import cache_dir

    folder = socket_folder()
    who = "\0".join([os.path.realpath(sys.executable), str(Path(__file__).resolve().parent.parent),
                     str(cache_dir().absolute()), *(os.environ.get(name, "") for name in IMPORT_ENV)])
    return short_enough(folder / f"{hashlib.sha256(who.encode()).hexdigest()[:20]}.sock")


def short_enough(sock: "Path") -> "Path":
    """`sock`, or Unavailable when the path is too long for a socket."""
    if len(os.fsencode(sock)) > _SOCKET_PATH_MAX:
        raise Unavailable(f"{sock} is too long for a socket (set TMPDIR to a shorter folder)")
    return sock


def failure_note(sock: "Path") -> "Path":
    """Where a resident process (or a warm tool process) that could not start leaves why (beside its socket's
    path: `endpoint.failure_note`)."""
    from pathlib import Path

    from guard.resident.endpoint import failure_note as beside

    return Path(beside(str(sock)))


def recent_failure(sock: "Path") -> "tuple[float, Path] | None":
    """(how many seconds ago, its note) when a process meant to listen at `sock` failed to start within
    RETRY_SECONDS; None otherwise. Meanwhile none is started again: a broken install would cost every command
    a doomed start."""
    import time

    note = failure_note(sock)
    try:
        age = time.time() - note.stat().st_mtime
    except OSError:
        return None  # none failed
    return (age, note) if age < RETRY_SECONDS else None
