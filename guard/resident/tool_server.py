"""A warm tool process: a Python tool's interpreter that has imported the tool and forks a copy of itself for
each run it is sent, so the run starts without the interpreter's start-up and the tool's imports (bandit on one
file: 0.3 s cold, 0.03 s forked).

    TOOL_PYTHON tool_server.py SOCKET SECONDS SCRIPT

SCRIPT is the tool's console script (or guard's start script for it), run as `__main__` in each fork, after
being run once here under another name (its imports, not its command; then its `warm_up()` if it has one).
Runs by the tool's interpreter, not guard's: this file imports nothing of guard but its wire protocol and
socket end, by path. Each run gets a process group of its own led by a monitor (the pid the caller kills),
which forks the run and reports how it ended: `pid N`, then `exit CODE`. The process serves its own user
only, exits after SECONDS without a run, when another took its socket path, or (answering `stale`) when a
file it imported changed on disk.
"""

from __future__ import annotations

import os
import sys

if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # guard's folder: no module of it may stand in for one of the tool's

import atexit  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any, NoReturn  # noqa: E402

WARM_NAME = "__guard_warm__"  # the name SCRIPT runs under here: its `if __name__ == "__main__"` part is skipped


def main() -> None:
    path, lifetime, script = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    wire, endpoint = _load("wire"), _load("endpoint")
    try:
        warm_up = runpy.run_path(script, run_name=WARM_NAME).get("warm_up")
        if callable(warm_up):  # a start script that imports its tool in its command (guard's checkov_start)
            warm_up()
        files = _imported_files(script)
        stamps = endpoint.stamps(files)
        listener = endpoint.listen(path)
    except BaseException:
        endpoint.note_failure(path)  # callers then run the tool cold a while
        raise
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the kernel
    endpoint.serve(listener, path, lifetime, lambda conn: wire.told_stale(conn, endpoint.stamps(files) != stamps),
                   lambda conn: _monitor(conn, script, wire))


def _monitor(conn: socket.socket, script: str, wire: ModuleType) -> NoReturn:
    """Lead a process group for one run, fork the run, and tell the caller how it ended."""
    code = 2
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        request, fds = wire.receive_request(conn)
        wire.send_line(conn, f"pid {os.getpid()}".encode())
        pid = os.fork()
        if pid == 0:
            conn.close()
            _run(request, fds, script)  # never returns
        for fd in fds:
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        wire.send_line(conn, f"exit {os.waitstatus_to_exitcode(status)}".encode())
        code = 0
    except BaseException:  # noqa: BLE001 - a fork must never return into the server's loop
        pass
    finally:
        os._exit(code)


def _run(request: dict[str, Any], fds: list[int], script: str) -> NoReturn:
    """SCRIPT as `__main__` with the request's arguments, folder, environment and streams; exit with its code."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = io.TextIOWrapper(open(0, "rb", closefd=False))  # noqa: SIM115 - lives to the exit
        sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), write_through=True)  # noqa: SIM115
        sys.stderr = io.TextIOWrapper(open(2, "wb", closefd=False), write_through=True)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as a fresh interpreter has them
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        if "tempfile" in sys.modules:
            sys.modules["tempfile"].tempdir = None  # chosen again, from the run's TMPDIR
        if request.get("umask") is not None:
            os.umask(int(request["umask"]))
        sys.argv = [script, *request["argv"]]
        try:
            runpy.run_path(script, run_name="__main__")
            code = 0
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                sys.stderr.write(f"{exc.code}\n")
                code = 1
    except BaseException:  # noqa: BLE001 - told as the tool's own crash would be
        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()  # as the interpreter does on its way out (logging's shutdown among them)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed pipe: nothing more to tell
                pass
        os._exit(code)


def _load(name: str) -> ModuleType:
    """A module of guard's beside this file (standard library only: `wire`, `endpoint`), loaded by path."""
    spec = importlib.util.spec_from_file_location(f"guard_resident_{name}",
                                                  os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _imported_files(script: str) -> tuple[str, ...]:
    """The interpreter, SCRIPT, this file and every loaded module's file: when one changes, the process is stale."""
    files = {sys.executable, os.path.abspath(script), os.path.abspath(__file__)}
    files.update(path for module in list(sys.modules.values())
                 if isinstance(path := getattr(module, "__file__", None), str))
    return tuple(sorted(files))


if __name__ == "__main__":
    main()
