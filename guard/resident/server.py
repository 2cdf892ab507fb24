"""The resident process: imports guard, then forks a copy of itself for each command it is sent.

    python -m guard.resident.server SOCKET SECONDS

It serves commands at SOCKET until none came for SECONDS, another resident process took the path, or
what it imported changed on disk (then it answers `stale` and exits). It starts no thread: a fork
copies only the thread that forks.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import io
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, NoReturn

from guard.resident import wire
from guard.resident.endpoint import listen, note_failure
from guard.resident.endpoint import serve as serve_connections
from guard.resident.listing import left_behind
from guard.resident.snapshot import Snapshot

# imported before the first command: what `guard scan` imports on its way, its outputs included, and what a
# change to a Terraform file (the HCL parser) or a lockfile (the advisory matcher) needs
WARM = (
    "guard.cli", "guard.commands.scan", "guard.commands.outputs", "guard.pipeline", "guard.scanners.runner",
    "guard.policy.runner", "guard.policy.regorus", "guard.policy.inputs", "guard.policy.inputs.terraform",
    "guard.compliance.mappings", "guard.compliance.controls", "guard.compliance.frameworks",
    "guard.report.terminal", "guard.report.jsonfile", "guard.report.markdown", "guard.sarif.write",
    "guard.judged_cache", "guard.cache_budget", "guard.diff", "guard.advisories.matching", "guard.advisories.store",
    "guard.resident.tools",
)


def warm() -> None:
    """Import what a scan uses, the installed scanner plugins included, and compile the scanners' file
    patterns (what does not depend on a command's files, folder or environment)."""
    for name in WARM:
        importlib.import_module(name)
    from guard.lockfiles.registry import parser_for
    from guard.scanners.base import all_scanner_classes, match_any

    for scanner in all_scanner_classes().values():
        match_any("", getattr(scanner, "patterns", ()))
    parser_for("")


def serve(path: Path, lifetime: float) -> None:
    try:
        warm()
        snapshot = Snapshot.of_loaded_modules()
        listener = listen(str(path))
    except Exception:  # noqa: BLE001 - whatever stops the start is left for the commands to tell
        note_failure(str(path))  # for the commands that would have started another (`client._start`)
        raise
    _remove_left_behind(path.parent)
    gc.freeze()  # what the imports made stays out of the children's collections (and their pages shared)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGTERM, _leave)  # `guard resident stop`: the socket is removed on the way out
    serve_connections(listener, str(path), lifetime, lambda conn: wire.told_stale(conn, snapshot.changed()), _child)


def _remove_left_behind(folder: Path) -> None:
    """Remove the sockets that processes killed before removing their own left in the folder (no process
    listens on them; `guard resident stop` removes them too)."""
    try:
        for stale in left_behind(folder):
            stale.unlink(missing_ok=True)
    except OSError:
        pass


def _leave(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def _child(conn: socket.socket) -> NoReturn:
    """Run the command sent on `conn` in this fork and exit with its code (which `conn` is told)."""
    code = 2
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # Ctrl-C as its caller passes it on, whatever the process that started this one ignored
        signal.signal(signal.SIGINT, signal.default_int_handler)
        request, fds = wire.receive_request(conn)
        _take_streams(fds, request["encodings"])
        wire.send_line(conn, f"pid {os.getpid()}".encode())
        threading.Thread(target=_end_with, args=(conn,), daemon=True).start()
        try:
            _take_place(request)
        except OSError as exc:
            sys.stderr.write(f"guard: cannot run in {request['cwd']}: {exc.strerror}\n")
        else:
            code = _run(request["argv"])
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        wire.send_line(conn, f"exit {code}".encode())
    except BaseException:  # noqa: BLE001 - a fork must never return into the server's loop
        pass
    finally:
        os._exit(code)


def _take_streams(fds: list[int], encodings: list[list[str] | None]) -> None:
    """The command's stdin, stdout and stderr, as it encodes them."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = _text(0, "r", encodings[0])
    sys.stdout = _text(1, "w", encodings[1])
    sys.stderr = _text(2, "w", encodings[2])


def _take_place(request: dict[str, Any]) -> None:
    """The command's working folder, environment and umask."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    tempfile.tempdir = None  # chosen again, from the command's TMPDIR
    os.umask(int(request["umask"]))
    from guard.policy.regorus import quiet_backtraces

    quiet_backtraces()  # set at import from the resident process's environment; again from the command's


def _text(fd: int, mode: str, encoding: list[str] | None) -> io.TextIOWrapper:
    """A text stream on `fd` as the command's: its encoding, line-buffered when writing to a terminal."""
    enc, errors = encoding if encoding else ("utf-8", "strict")
    return open(fd, mode, encoding=enc, errors=errors, closefd=False,  # noqa: SIM115 - lives to the exit
                buffering=1 if mode == "w" and os.isatty(fd) else -1)


def _run(argv: list[str]) -> int:
    """`guard ARGV`'s exit code, as the interpreter would make it of SystemExit."""
    from guard.cli import main

    sys.argv = ["guard", *argv]
    try:
        main()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        sys.stderr.write(f"{exc.code}\n")
        return 1
    return 0


def _end_with(conn: socket.socket) -> None:
    """End this command when the one that sent it goes away (it sends nothing more)."""
    try:
        conn.recv(1)
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), float(sys.argv[2]))
