"""How many scanners run at once (`runner.workers`): all of them on a short run of light tools, one per
core on a longer one or with a tool that starts slowly, and always what `jobs` says when it is set."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterable, Sequence

import pytest

from guard.config import Config
from guard.model import Category, Finding, Rule, Status
from guard.scanners import runner


class Gathering:
    """In-process scanners that record how many of them were scanning at the same time; with
    `meet`, each waits until that many are scanning (a pool too small for them leaves it waiting)."""

    def __init__(self, meet: int = 0) -> None:
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.met = threading.Barrier(meet, timeout=30) if meet else None

    def scanner(self, n: int, cost: float = 1.0) -> "Recorded":
        return Recorded(f"fake-{n}", self, cost)


class Recorded:
    category = Category.SAST

    def __init__(self, name: str, gathering: Gathering, cost: float) -> None:
        self.name, self.gathering, self.cost = name, gathering, cost

    def select(self, files: Sequence[str]) -> list[str]:
        return list(files)

    def version(self) -> str:
        return "1"

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return []

    def scan(self, target: Path, files: Sequence[str], workdir: Path) -> Iterable[Finding]:
        g = self.gathering
        with g.lock:
            g.now += 1
            g.most = max(g.most, g.now)
        try:
            if g.met is not None:
                g.met.wait()
            else:
                threading.Event().wait(0.05)
        finally:
            with g.lock:
                g.now -= 1
        return []


def run(tmp_path: Path, gathering: Gathering, scanners: int, files: int, jobs: int = 0,
        costs: Sequence[float] = ()) -> list[Status]:
    names = [f"f{i}.py" for i in range(files)]
    listed = [gathering.scanner(n, costs[n] if n < len(costs) else 1.0) for n in range(scanners)]
    runs = runner.run_all(listed, tmp_path, names, tmp_path / "work", Config(cache=False, jobs=jobs))
    return [r.status for r in runs]


def test_a_short_run_starts_every_scanner_at_once(tmp_path: Path) -> None:
    scanners = os.cpu_count() + 3  # more than the cores
    gathering = Gathering(meet=scanners)  # each one waits for all the others to be scanning too
    assert run(tmp_path, gathering, scanners, runner.SHORT_RUN) == [Status.OK] * scanners
    assert gathering.most == scanners


def test_a_longer_run_runs_one_scanner_per_core(tmp_path: Path) -> None:
    gathering = Gathering()
    assert run(tmp_path, gathering, 6, runner.SHORT_RUN + 1) == [Status.OK] * 6
    assert gathering.most <= os.cpu_count()


def test_a_short_run_with_a_tool_that_starts_slowly_runs_one_scanner_per_core(tmp_path: Path) -> None:
    gathering = Gathering()
    assert run(tmp_path, gathering, 6, 1, costs=[runner.LIGHT * 3]) == [Status.OK] * 6
    assert gathering.most <= os.cpu_count()


def test_trivy_looking_for_secrets_only_is_light(tmp_path: Path) -> None:
    from guard.scanners.trivy import TrivyScanner

    trivy = TrivyScanner(Config())
    assert trivy.cost_for(["app.py"]) <= runner.LIGHT < trivy.cost_for(["app.py", "main.tf"])


@pytest.mark.parametrize("files", [1, runner.SHORT_RUN + 1])
def test_jobs_set_is_what_runs_at_once(tmp_path: Path, files: int) -> None:
    gathering = Gathering()
    assert run(tmp_path, gathering, 4, files, jobs=1) == [Status.OK] * 4
    assert gathering.most == 1
