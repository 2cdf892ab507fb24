"""The caches' size budget: beyond it, the least recently used entries are removed.

An entry is a scanner run's folder (`results/<scanner>/<key>/`: its result, raw outputs and the
findings of the files it judged alone; the scanner's file index, `files.index.<xx>.json`, is no entry), a
judged run (`judged/`), a parsed config file (`config-inputs/`), a checked catalog (`catalogs/`) or a
policy pack's check marker (`policy-checks/`). Reading an entry marks it used (`touch`: its
modification time). Entries used within the last hour are never removed, so a run in progress keeps
what it read (an evidence bundle copies raw outputs at the end of its run). Tool environments and the
advisory database are not entries: `guard tools` and `guard db` manage them.

After a scan guard prunes at most once an hour (`after_scan`); `guard cache prune` prunes now.
The budget is `$GUARD_CACHE_MAX_MB` (default 2048).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

PARTS = ("results", "judged", "config-inputs", "catalogs", "policy-checks", "tool-checks")
DEFAULT_MAX_MB = 2048
KEEP_SECONDS = 3600.0  # entries used this recently stay, whatever the budget
STAMP = ".pruned"  # in the cache folder: when guard last pruned after a scan


class BudgetError(Exception):
    """`$GUARD_CACHE_MAX_MB` is not a number of megabytes."""


@dataclass(frozen=True, slots=True)
class Entry:
    part: str  # one of PARTS
    path: Path  # a file, or a scanner run's folder
    size: int  # bytes
    used: float  # when it was last read or written (seconds since the epoch)


@dataclass(frozen=True, slots=True)
class Pruned:
    removed: int
    freed: int  # bytes
    kept: int  # bytes left in the entries


def max_bytes() -> int:
    """The budget in bytes, from `$GUARD_CACHE_MAX_MB`."""
    text = os.environ.get("GUARD_CACHE_MAX_MB", "").strip()
    if not text:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        mb = float(text)
    except ValueError:
        raise BudgetError(f"GUARD_CACHE_MAX_MB={text!r} is not a number of megabytes") from None
    if mb < 0:
        raise BudgetError(f"GUARD_CACHE_MAX_MB={text!r} is negative")
    return int(mb * 1024 * 1024)


def touch(path: Path) -> None:
    """Mark an entry used (best effort: a read-only cache is still read)."""
    try:
        os.utime(path)
    except OSError:
        pass


def entries(root: Path) -> list[Entry]:
    """Every entry of the cache folder `root`, in no particular order."""
    found: list[Entry] = []
    for part in PARTS:
        base = root / part
        if part != "results":
            found += (Entry(part, path, size, used) for path, size, used in _files(base))
            continue
        for scanner in _dirs(base):
            for child in _dirs(scanner):  # a run's folder (or the staging folder of a write that did not finish)
                files = list(_files(child))
                marker = child / "result.json"
                used = _mtime(marker) if marker.is_file() else _mtime(child)
                found.append(Entry(part, child, sum(size for _, size, _ in files), used))
    return found


def prune(root: Path, budget: int, now: float | None = None) -> Pruned:
    """Remove least recently used entries until those left take at most `budget` bytes (entries used
    within KEEP_SECONDS excepted)."""
    now = time.time() if now is None else now
    found = sorted(entries(root), key=lambda e: e.used)
    total = sum(e.size for e in found)
    removed = freed = 0
    for entry in found:
        if total <= budget or now - entry.used < KEEP_SECONDS:
            break
        if _remove(entry.path):
            removed += 1
            freed += entry.size
            total -= entry.size
    return Pruned(removed, freed, total)


def clear(root: Path) -> Pruned:
    """Remove every entry, however recently used, and the scanners' file indexes (which name only entries)."""
    found = entries(root)
    removed = [e for e in found if _remove(e.path)]
    for scanner in _dirs(root / "results"):
        for index in scanner.glob("files.index.*"):
            index.unlink(missing_ok=True)
    freed = sum(e.size for e in removed)
    return Pruned(len(removed), freed, sum(e.size for e in found) - freed)


def after_scan(root: Path) -> Pruned | None:
    """`prune` to `max_bytes()`, unless guard pruned within the hour (then None). A budget that is not
    a size is an error at every scan."""
    budget = max_bytes()
    stamp = root / STAMP
    if time.time() - _mtime(stamp) < KEEP_SECONDS:
        return None
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        return None  # a read-only cache: nothing was written to it either
    return prune(root, budget)


def _remove(path: Path) -> bool:
    """Take `path` out of the cache at once (a run's folder is renamed first: no reader sees half)."""
    try:
        if path.is_dir() and not path.is_symlink():
            gone = path.with_name(f".removing.{path.name}.{os.getpid()}")
            path.rename(gone)
            shutil.rmtree(gone, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        return False
    return True


def _dirs(path: Path) -> Iterator[Path]:
    try:
        with os.scandir(path) as it:
            yield from (Path(e.path) for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return


def _files(path: Path) -> Iterator[tuple[Path, int, float]]:
    """(file, size, mtime) of every regular file under `path`."""
    try:
        with os.scandir(path) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    yield from _files(Path(e.path))
                elif e.is_file(follow_symlinks=False):
                    st = e.stat(follow_symlinks=False)
                    yield Path(e.path), st.st_size, st.st_mtime
    except OSError:
        return


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
