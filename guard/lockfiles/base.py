"""The lockfile seam: one small protocol every format module implements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

MAX_LOCKFILE_BYTES = 64 * 1024 * 1024


class LockfileError(Exception):
    """A lockfile guard cannot read; the message names the file (and line when known)."""


@dataclass(frozen=True, slots=True)
class Dependency:
    """One pinned package occurrence: OSV ecosystem, name, exact version, and where it is pinned."""

    ecosystem: str  # OSV ecosystem name: PyPI, npm, Go, ...
    name: str
    version: str
    path: str  # repo-relative POSIX path of the file that pins it
    line: int | None = None


@runtime_checkable
class LockfileParser(Protocol):
    """Reads one lockfile format."""

    name: str  # short format name, e.g. "poetry.lock"
    patterns: tuple[str, ...]  # globs on the file name (or repo-relative path)
    ecosystem: str | None  # the OSV ecosystem of every dependency it reads (None: each names its own)

    def parse(self, root: Path, path: str) -> list[Dependency]:
        """Dependencies pinned by `root/path`; raises LockfileError naming file and line."""


def read_text(root: Path, path: str) -> str:
    """A lockfile's text; unreadable, oversized or non-UTF-8 files are LockfileErrors."""
    full = root / path
    try:
        size = full.stat().st_size
        if size > MAX_LOCKFILE_BYTES:
            raise LockfileError(f"{path}: {size} bytes, over the {MAX_LOCKFILE_BYTES}-byte limit")
        return full.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LockfileError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise LockfileError(f"{path}: cannot read: {exc.strerror}") from None


def line_index(text: str) -> list[int]:
    """Offsets where each line starts (for offset -> line lookups with bisect)."""
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def find_line(text: str, needle: str, start: int = 1) -> int | None:
    """1-based number of the first line at or after `start` containing `needle`."""
    for number, line in enumerate(text.splitlines()[start - 1:], start):
        if needle in line:
            return number
    return None
