"""The result caches stay within their budget: least recently used entries go first, recent ones stay."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from guard import cache_budget
from guard.cache import ResultCache
from guard.cache_budget import BudgetError, after_scan, entries, max_bytes, prune
from guard.model import Category, ScannerRun, Status
from tests.conftest import run_guard

DAY = 86400.0


def aged(path: Path, days: float) -> Path:
    """`path` (and what a run folder holds) last used `days` ago."""
    when = time.time() - days * DAY
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(p, (when, when))
    return path


def run_entry(root: Path, scanner: str, key: str, size: int, days: float) -> Path:
    entry = root / "results" / scanner / key
    (entry / "raw").mkdir(parents=True)
    (entry / "raw" / "stdout").write_bytes(b"x" * size)
    (entry / "result.json").write_text("{}")
    return aged(entry, days)


def file_entry(root: Path, part: str, name: str, size: int, days: float) -> Path:
    path = root / part / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"y" * size)
    return aged(path, days)


def test_prune_removes_the_least_recently_used_entries_beyond_the_budget(tmp_path: Path):
    oldest = run_entry(tmp_path, "semgrep", "a" * 64, 5000, days=30)
    old_judged = file_entry(tmp_path, "judged", "b" * 64 + ".json", 3000, days=20)
    (tmp_path / "results" / "semgrep" / "files.index.json").write_text("{}")  # not an entry
    newer = run_entry(tmp_path, "bandit", "d" * 64, 4000, days=2)
    recent = run_entry(tmp_path, "checkov", "e" * 64, 9000, days=0.01)  # used minutes ago
    (tmp_path / "tools" / "semgrep").mkdir(parents=True)  # not an entry
    (tmp_path / "tools" / "semgrep" / "big").write_bytes(b"z" * 50000)
    assert sorted(e.part for e in entries(tmp_path)) == ["judged", "results", "results", "results"]

    done = prune(tmp_path, budget=13500)
    assert not oldest.exists() and not old_judged.exists()  # 21,006 -> 13,004 bytes (result.json: 2 each)
    assert newer.exists() and recent.exists()
    assert (done.removed, done.freed, done.kept) == (2, 8002, 13004)

    done = prune(tmp_path, budget=0)  # the entry used within the hour stays whatever the budget
    assert recent.exists() and not newer.exists() and done.kept == 9002
    assert (tmp_path / "tools" / "semgrep" / "big").exists()
    left = [p.name for p in (tmp_path / "results" / "semgrep").iterdir()]
    assert left == ["files.index.json"]  # no half-removed folder


def test_a_cache_hit_marks_the_entry_used(tmp_path: Path):
    cache = ResultCache(tmp_path / "results")
    run = ScannerRun("bandit", Category.SAST, Status.OK, version="1")
    cache.put("k1", run, tmp_path)
    cache.put("k2", run, tmp_path)
    aged(tmp_path / "results" / "bandit" / "k1", days=9)
    aged(tmp_path / "results" / "bandit" / "k2", days=8)
    assert cache.get("bandit", "k1") is not None  # read today: k2 is now the least recently used
    prune(tmp_path, budget=sum(e.size for e in entries(tmp_path)) - 1)
    assert (tmp_path / "results" / "bandit" / "k1").exists() and not (tmp_path / "results" / "bandit" / "k2").exists()


def test_after_a_scan_guard_prunes_at_most_once_an_hour(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GUARD_CACHE_MAX_MB", "0")
    first = run_entry(tmp_path, "semgrep", "a" * 64, 10, days=3)
    assert after_scan(tmp_path).removed == 1 and not first.exists()
    second = run_entry(tmp_path, "semgrep", "b" * 64, 10, days=3)
    assert after_scan(tmp_path) is None and second.exists()
    aged(tmp_path / cache_budget.STAMP, days=1)
    assert after_scan(tmp_path).removed == 1 and not second.exists()


@pytest.mark.parametrize("value", ["lots", "-5"])
def test_a_budget_that_is_not_a_size_is_an_error_naming_it(value: str, monkeypatch):
    monkeypatch.setenv("GUARD_CACHE_MAX_MB", value)
    with pytest.raises(BudgetError, match=f"GUARD_CACHE_MAX_MB={value!r}"):
        max_bytes()


def test_the_cache_command_shows_prunes_and_clears(tmp_path: Path):
    env = {"GUARD_CACHE_DIR": str(tmp_path), "GUARD_CACHE_MAX_MB": "0.01"}  # 10,485 bytes
    run_entry(tmp_path, "semgrep", "a" * 64, 8000, days=30)
    run_entry(tmp_path, "semgrep", "b" * 64, 8000, days=3)
    fresh = file_entry(tmp_path, "config-inputs", "c" * 64 + ".bin", 100, days=0)
    info = json.loads(run_guard("cache", "info", "--json", env=env).stdout)
    assert info["parts"]["results"] == {"entries": 2, "bytes": 16004} and info["budget_bytes"] == 10485

    out = run_guard("cache", "prune", env=env)
    assert out.returncode == 0 and "removed 1 entries" in out.stdout
    assert not (tmp_path / "results" / "semgrep" / ("a" * 64)).exists()
    assert run_guard("cache", "prune", "--max-mb", "0", env=env).stdout.startswith("removed 1 entries")
    assert fresh.exists()

    bad = run_guard("cache", "prune", env={**env, "GUARD_CACHE_MAX_MB": "lots"})
    assert bad.returncode == 2 and "GUARD_CACHE_MAX_MB='lots'" in bad.stderr
    index = tmp_path / "results" / "semgrep" / "files.index.ab.json"  # a part of the scanner's file index
    index.write_text("{}")
    assert run_guard("cache", "clear", env=env).stdout.startswith("removed 1 entries") and not fresh.exists()
    assert not index.exists() and (tmp_path / "results" / "semgrep").is_dir()


def test_a_scan_with_a_budget_that_is_not_a_size_says_so_and_still_judges(tmp_path: Path):
    from guard.paths import cache_dir

    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "tools").symlink_to(cache_dir() / "tools")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("import subprocess\nsubprocess.call(input(), shell=True)\n")
    (repo / ".guard.yaml").write_text("scanners: [bandit]\nfail_on: high\n")
    out = run_guard("scan", str(repo), "--quiet", env={"GUARD_CACHE_DIR": str(tmp_path / "cache"),
                                                     "GUARD_CACHE_MAX_MB": "2 GB"})
    assert out.returncode == 1, out.stderr  # the gate's verdict, as without the budget
    assert "guard: cache not pruned: GUARD_CACHE_MAX_MB='2 GB' is not a number of megabytes" in out.stderr
