"""The listening end of a resident socket, for the resident guard process and the warm tool processes: put in
place in one step, kept while its own, answering its own user only with a fork per connection (`serve`); the
note a process that could not start leaves beside it; and the stamps that tell a file changed.

Standard library only: a warm tool process (run by the tool's interpreter, not guard's) loads it by path.
"""

from __future__ import annotations

import os
import socket
import struct
import tempfile
import time
import traceback
from typing import Callable, Iterable, NoReturn

WAKE_SECONDS = 30.0  # how often an idle process checks that the socket path is still its own


def listen(path: str) -> socket.socket:
    """A socket listening at `path` (mode 0600), put there in one step (a process already there is replaced)."""
    partial = f"{path}.{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(partial)
    finally:
        os.umask(old)
    listener.listen(16)
    os.replace(partial, path)
    return listener


def serve(listener: socket.socket, path: str, lifetime: float, stale: Callable[[socket.socket], bool],
          child: Callable[[socket.socket], NoReturn]) -> None:
    """Answer this user's connections to `listener` (listening at `path`), each in a forked child that runs
    `child(conn)`, until none came for `lifetime` seconds, another process took `path`, or `stale(conn)` says
    (and has told the caller) that this process is out of date; then remove the socket while it is this one's."""
    inode = os.stat(path).st_ino  # of the socket at `path` while it is this process's
    try:
        last = time.monotonic()
        listener.settimeout(min(lifetime, WAKE_SECONDS))
        while owns(path, inode):
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                if time.monotonic() - last >= lifetime:
                    return
                continue
            last = time.monotonic()
            with conn:
                if not same_user(conn):
                    continue
                if stale(conn):
                    return
                if os.fork() == 0:
                    listener.close()
                    child(conn)
    finally:
        if owns(path, inode):
            os.unlink(path)
        listener.close()


def owns(path: str, inode: int) -> bool:
    """Whether the socket at `path` is still the one of that inode (another process did not take the path)."""
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def same_user(conn: socket.socket) -> bool:
    """Whether the peer is this user (where the peer's credentials cannot be asked, the socket's folder,
    0700, already admits no one else)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def failure_note(path: str) -> str:
    """Where a process that could not start listening at `path` leaves why (beside the socket's path)."""
    return f"{path}.failed"


def note_failure(path: str) -> None:
    """Why this process could not start listening at `path` (the exception being handled, a traceback), in
    `failure_note(path)`, mode 0600, whole or not at all: callers run the command without it a while."""
    note = failure_note(path)
    try:
        fd, partial = tempfile.mkstemp(prefix=f".{os.path.basename(note)}.", dir=os.path.dirname(note))
    except OSError:
        return
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(traceback.format_exc())
        os.replace(partial, note)
    except OSError:
        os.unlink(partial)


def stamps(paths: Iterable[str]) -> tuple[tuple[int, int, int] | None, ...]:
    """Each file's size, modification time and inode (None: gone): a file changed on disk stamps otherwise."""
    out: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append(None)
            continue
        out.append((st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)
