"""Work in forked children: values and errors come back as if the work had run in this process."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from guard import forked
from guard.policy.base import PolicyError

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
