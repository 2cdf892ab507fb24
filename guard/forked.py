"""Work done in forked children beside this process: more cores for the stages of a large run.

A forked child shares every object built so far (copy-on-write), so nothing is sent to it; it sends
back what its work returns (pickled), or the exception that stopped it (raised again here, so a
caller handles it as if the work had run in this process). Only where fork is safe to use (Linux);
elsewhere, and for runs too small to pay for a fork, the work runs in this process when its result
is asked for.

Each child of the main process leads a process group of its own (with the children it forks): a terminal's
Ctrl-C does not reach it, and `stop_children` (guard's SIGINT and SIGTERM handler calls it) ends it at once,
whatever it is doing (a policy engine's evaluation takes no signal until it returns).
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import traceback
from typing import Any, Callable, Generic, Sequence, TypeVar

CAN_FORK = sys.platform == "linux"
CORES = len(os.sched_getaffinity(0)) if CAN_FORK else 1  # the cores this process may run on
_OK, _FAILED = b"0", b"1"
_TOKEN = struct.Struct("!I")
_PIPE_TOKENS = 16_384  # tokens that fit a pipe's default 64 KiB before any child reads one
T = TypeVar("T")
X = TypeVar("X")
_LIVE: set[int] = set()  # the children this process forked and has not reaped
_STOPPED = False  # whether `stop_children` was called: a child forked since (on another thread) ends at once
_IN_CHILD = False  # whether this process is a forked child (its children share its process group)


class ForkedError(RuntimeError):
    """A forked child died, or failed with an exception that cannot be sent back (its traceback)."""


class Pending(Generic[T]):
    """Work started with `start` or `start_each`; `result()` waits for it and returns its value (or
    raises its error)."""

    def __init__(self, inline: Callable[[], T], children: Sequence[tuple[int, int]],
                 combine: Callable[[list[Any]], T]) -> None:
        self._inline, self._children, self._combine = inline, children, combine
        self._replies: list[tuple[bool, Any]] | None = None

    def result(self) -> T:
        if not self._children:
            return self._inline()
        replies = self._wait()
        for ok, value in replies:  # every child waited for, then the first error
            if not ok:
                raise value
        return self._combine([value for _, value in replies])

    def close(self) -> None:
        """Wait for the children whose values are no longer wanted (after an error elsewhere)."""
        if self._children:
            self._wait()

    @property
    def pids(self) -> list[int]:
        """The process ids of the children this process forked for the work (none when it runs here)."""
        return [pid for pid, _ in self._children]

    def _wait(self) -> list[tuple[bool, Any]]:
        if self._replies is None:
            replies: list[tuple[bool, Any]] = []
            try:
                for pid, fd in self._children:
                    replies.append(_reply(pid, fd))
            except BaseException:  # interrupted: the children not heard from are stopped (`_reply` stops its own)
                for pid, fd in self._children[len(replies) + 1:]:
                    os.close(fd)
                    _stop(pid)
                stopped = (False, ForkedError("the forked child process was stopped before it finished"))
                self._replies = replies + [stopped] * (len(self._children) - len(replies))
                raise
            self._replies = replies
        return self._replies


def stop_children() -> None:
    """End every child this process forked and has not reaped (and what they forked), at once, and any it
    forks from now on. Safe in a signal handler: it only sends signals; each child is reaped by whoever waits
    for it."""
    global _STOPPED
    _STOPPED = True
    for pid in list(_LIVE):
        _kill(pid)


def start(work: Callable[[], T], *, fork: bool) -> Pending[T]:
    """`work` in a forked child when `fork` (and fork is available), else deferred to `result()`."""
    if not (fork and CAN_FORK):
        return Pending(work, (), list)
    return Pending(work, [_fork(work)], lambda values: values[0])


def start_each(fn: Callable[[X], T], items: Sequence[X], *, fork: bool, children: int,
               prepare: Callable[[], object] | None = None) -> Pending[list[T]]:
    """`fn` of each item, in item order, computed by up to `children` forked children that take the next
    item when done with one (items of very different cost share the children well); in this process
    at `result()` without `fork`.

    With `prepare`, one child runs it first and then forks the others, which share what it made (e.g. a
    large input read once instead of once per child); this process goes on meanwhile.
    """
    def inline() -> list[T]:
        if prepare is not None:
            prepare()
        return [fn(item) for item in items]

    children = min(children, len(items))
    if not (fork and CAN_FORK and children > 0):
        return Pending(inline, (), list)
    per_token = -(-len(items) // _PIPE_TOKENS)
    tokens_r, tokens_w = os.pipe()
    try:
        os.write(tokens_w, b"".join(_TOKEN.pack(i) for i in range(0, len(items), per_token)))

        def take() -> list[tuple[int, T]]:
            """Items until the pipe is empty (every write end is closed before a child reads)."""
            done: list[tuple[int, T]] = []
            while token := os.read(tokens_r, _TOKEN.size):
                first = _TOKEN.unpack(token)[0]
                done += [(i, fn(items[i])) for i in range(first, min(first + per_token, len(items)))]
            return done

        def child(siblings: int) -> Callable[[], list[tuple[int, T]]]:
            def work() -> list[tuple[int, T]]:
                os.close(tokens_w)
                if prepare is not None:
                    prepare()
                forks = [_fork(take) for _ in range(siblings)]
                try:
                    done = take()
                finally:
                    replies = [_reply(pid, fd) for pid, fd in forks]
                for ok, value in replies:
                    if not ok:
                        raise value
                    done += value
                return done

            return work

        forks = ([_fork(child(children - 1))] if prepare is not None
                 else [_fork(child(0)) for _ in range(children)])
    finally:
        os.close(tokens_w)
        os.close(tokens_r)

    def combine(parts: list[list[tuple[int, T]]]) -> list[T]:
        return [value for _, value in sorted((pair for part in parts for pair in part), key=lambda pair: pair[0])]

    return Pending(inline, forks, combine)


def _fork(work: Callable[[], Any]) -> tuple[int, int]:
    """Run `work` in a forked child; (its pid, the pipe its reply comes on).

    The child runs only `work` and leaves with `os._exit`: no exit handlers, no buffered output
    flushed twice, no `finally` of the caller run in it. Ctrl-C and SIGTERM end it as they would any
    process (not as guard's handlers do: those are for the process that forked it).
    """
    global _IN_CHILD, _STOPPED
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            if not _IN_CHILD:
                os.setpgid(0, 0)
            _IN_CHILD, _STOPPED = True, False
            _LIVE.clear()  # its parent's other children are not its to stop
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.close(read_fd)
            try:
                reply = _OK + pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
                reply, code = _FAILED + _pickled(exc), 1
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(reply)
        finally:
            os._exit(code)
    _LIVE.add(pid)
    if not _IN_CHILD:
        try:
            os.setpgid(pid, pid)  # as the child does: whichever runs first, it leads its group before a stop
        except OSError:  # it has ended already, or set it itself
            pass
    if _STOPPED:  # forked by another thread after a stop
        _kill(pid)
    os.close(write_fd)
    return pid, read_fd


def _reply(pid: int, fd: int) -> tuple[bool, Any]:
    """(True, the child's value) or (False, the exception to raise), once the child has ended. Interrupted
    (Ctrl-C), it stops the child and raises."""
    chunks: list[bytes] = []
    try:
        with os.fdopen(fd, "rb") as pipe:
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
    except BaseException:
        _stop(pid)
        raise
    _LIVE.discard(pid)
    data, code = b"".join(chunks), os.waitstatus_to_exitcode(status)
    if data[:1] == _FAILED:
        return False, _unpickled(data[1:])
    if code != 0 or data[:1] != _OK:
        return False, ForkedError(f"the forked child process ended with status {code} before it finished")
    return True, pickle.loads(data[1:])


def _kill(pid: int) -> None:
    """SIGKILL a child: with what it forked (its process group) when this process made it lead one."""
    try:
        os.kill(pid, signal.SIGKILL) if _IN_CHILD else os.killpg(pid, signal.SIGKILL)
    except OSError:  # gone already
        pass


def _stop(pid: int) -> None:
    """Kill a child and reap it."""
    _kill(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    _LIVE.discard(pid)


def _pickled(exc: BaseException) -> bytes:
    try:
        return pickle.dumps(exc)
    except Exception:  # noqa: BLE001 - e.g. an exception holding a file or a lock
        return pickle.dumps(ForkedError("".join(traceback.format_exception(exc)).strip()))


def _unpickled(data: bytes) -> BaseException:
    try:
        exc = pickle.loads(data)
    except Exception as failure:  # noqa: BLE001 - an exception class whose arguments do not round-trip
        return ForkedError(f"the forked work failed, and its exception could not be read back: {failure}")
    return exc if isinstance(exc, BaseException) else ForkedError(repr(exc))
