"""Work in forked children: values and errors come back as if the work had run in this process."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from guard import forked
from guard.policy.base import PolicyError
from tests.integration.process_helpers import wait_for

pytestmark = pytest.mark.skipif(not forked.CAN_FORK, reason="fork is used on Linux only")


def test_the_value_comes_from_the_child() -> None:
    parent = os.getpid()
    assert forked.start(lambda: (os.getpid(), [1, {"a": "b"}]), fork=True).result()[0] != parent
    assert forked.start(lambda: os.getpid(), fork=False).result() == parent


def test_the_childs_exception_is_raised_again_with_its_type_and_message() -> None:
    def fail() -> None:
        raise PolicyError("policy.rego:3: something undefined")

    with pytest.raises(PolicyError, match="policy.rego:3: something undefined"):
        forked.start(fail, fork=True).result()


def test_an_exception_that_cannot_be_sent_back_arrives_as_its_traceback() -> None:
    class Holding(Exception):
        def __init__(self) -> None:
            super().__init__("holding a lock")
            self.lock = threading.Lock()  # cannot be pickled

    def fail() -> None:
        raise Holding()

    with pytest.raises(forked.ForkedError, match="holding a lock"):
        forked.start(fail, fork=True).result()


@pytest.mark.parametrize("how", ["exit", "signal"])
def test_a_child_that_dies_is_an_error_never_a_value(how: str) -> None:
    def die() -> int:
        if how == "exit":
            os._exit(0)  # ends without sending a value
        os.kill(os.getpid(), signal.SIGKILL)
        return 1

    with pytest.raises(forked.ForkedError, match="ended with status"):
        forked.start(die, fork=True).result()


def test_each_item_once_in_item_order_whichever_child_took_it() -> None:
    costs = [0.3, 0.0, 0.0, 0.2, 0.0, 0.1, 0.0]

    def work(i: int) -> tuple[int, int]:
        time.sleep(costs[i])
        return i, os.getpid()

    out = forked.start_each(work, range(len(costs)), fork=True, children=2).result()
    assert [i for i, _ in out] == list(range(len(costs)))
    assert len({pid for _, pid in out}) == 2 and os.getpid() not in {pid for _, pid in out}


def test_more_items_than_the_token_pipe_holds_are_each_done_once() -> None:
    n = 40_000
    assert forked.start_each(lambda i: i * 2, range(n), fork=True, children=3).result() == [i * 2 for i in range(n)]


def test_one_failing_item_fails_the_whole_and_every_child_is_waited_for(tmp_path) -> None:
    def work(i: int) -> int:
        (tmp_path / str(os.getpid())).touch()
        if i == 3:
            raise ValueError("item 3")
        time.sleep(0.05)
        return i

    pending = forked.start_each(work, range(6), fork=True, children=2)
    with pytest.raises(ValueError, match="item 3"):
        pending.result()
    pending.close()  # already waited for: nothing left to reap
    pids = [int(p.name) for p in tmp_path.iterdir()]
    assert len(pids) == 2
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_prepare_runs_once_in_the_first_child_and_the_others_share_what_it_made(tmp_path) -> None:
    made: dict[str, int] = {}

    def prepare() -> None:
        (tmp_path / f"prepared-{os.getpid()}").touch()
        made["by"] = os.getpid()

    def work(i: int) -> tuple[int, int, int]:
        time.sleep(0.05)
        return i, made["by"], os.getpid()

    out = forked.start_each(work, range(6), fork=True, children=2, prepare=prepare).result()
    assert [i for i, _, _ in out] == list(range(6))
    assert len(list(tmp_path.iterdir())) == 1 and made == {}  # once, and not in this process
    preparers, workers = {by for _, by, _ in out}, {pid for _, _, pid in out}
    assert len(preparers) == 1 and len(workers) == 2 and preparers <= workers  # one prepared, both used it


def test_a_failing_prepare_fails_the_whole() -> None:
    def prepare() -> None:
        raise PolicyError("input.json:1: cannot be read")

    with pytest.raises(PolicyError, match="cannot be read"):
        forked.start_each(lambda i: i, range(4), fork=True, children=2, prepare=prepare).result()


def test_a_failing_item_in_a_child_forked_after_prepare_fails_the_whole() -> None:
    def work(i: int) -> int:
        time.sleep(0.02)
        if i == 5:
            raise ValueError("item 5")
        return i

    with pytest.raises(ValueError, match="item 5"):
        forked.start_each(work, range(8), fork=True, children=2, prepare=lambda: None).result()


def test_without_fork_prepare_runs_here_before_the_items() -> None:
    calls: list[str] = []
    out = forked.start_each(lambda i: calls.append(f"item {i}") or i, range(2), fork=False, children=2,
                            prepare=lambda: calls.append("prepare")).result()
    assert out == [0, 1] and calls == ["prepare", "item 0", "item 1"]


def _alive(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)  # our child, not ended
    except ChildProcessError:  # reaped: gone
        return False


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


def _pids_written(path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def test_stop_children_ends_them_and_the_children_they_forked_at_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(forked, "_STOPPED", False)  # (set by the stop, put back for the tests after this one)
    pids = tmp_path / "pids"

    def hang(_item: int) -> None:
        with open(pids, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as a Rust evaluation that takes no signal
        time.sleep(60)

    pending = forked.start_each(hang, [1, 2], fork=True, children=2, prepare=lambda: None)
    assert wait_for(lambda: len(_pids_written(pids)) == 2), "the children did not start"
    started = time.monotonic()
    forked.stop_children()
    with pytest.raises(forked.ForkedError):
        pending.result()
    assert time.monotonic() - started < 20  # not their minute
    for pid in _pids_written(pids):  # the first child's and the sibling it forked (killed: ending)
        assert wait_for(lambda: _ended(pid), 10), f"{pid} still runs"
    assert not forked._LIVE
    with pytest.raises(forked.ForkedError):  # forked after the stop (by another thread): ended at once
        forked.start(lambda: time.sleep(60), fork=True).result()
    assert time.monotonic() - started < 20


def test_an_interrupted_wait_stops_the_children_and_later_waits_raise_forked_errors() -> None:
    pending = forked.start(lambda: time.sleep(60), fork=True)
    (pid, _fd), = pending._children
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            pending.result()
    finally:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    assert not _alive(pid) and pid not in forked._LIVE
    with pytest.raises(forked.ForkedError, match="stopped"):
        pending.result()  # not an error about a closed pipe
    pending.close()
