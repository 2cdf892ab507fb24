"""The files of a scan target: repo-relative POSIX paths, never outside the target.

Symlinks are not followed (a link to a file inside the tree is kept as its own path only if the
link target stays inside the root); names that are not valid UTF-8 are skipped and reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from guard.scanners.base import match_any

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".terraform",
                       ".tox", ".mypy_cache", ".pytest_cache", ".guard-cache"})


@dataclass(frozen=True, slots=True)
class FileSet:
    root: Path
    files: tuple[str, ...]
    skipped: tuple[str, ...]  # human-readable reasons, e.g. "bad name: b'\\xff.py' (not UTF-8)"


def list_files(root: Path, exclude: Sequence[str] = ()) -> FileSet:
    """Every regular file under root (sorted), skipping VCS/dependency folders and excluded globs."""
    root = root.resolve()
    files: list[str] = []
    skipped: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not _excluded(rel_dir, d, exclude))
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if _admit(root, rel, full, exclude, skipped):
                files.append(rel)
    return FileSet(root=root, files=tuple(sorted(files)), skipped=tuple(skipped))


def list_given(root: Path, paths: Iterable[str], exclude: Sequence[str] = ()) -> FileSet:
    """Those of `paths` (repo-relative, e.g. staged or changed files) that `list_files` would list,
    without walking the tree."""
    root = root.resolve()
    files: list[str] = []
    skipped: list[str] = []
    for rel in sorted(set(paths)):
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts) or any(p in SKIP_DIRS for p in parts[:-1]):
            continue
        if any(_excluded("/".join(parts[:i]) or ".", parts[i], exclude) for i in range(len(parts) - 1)):
            continue
        full = os.path.join(root, *parts)
        if os.path.realpath(os.path.dirname(full)) != os.path.dirname(full):
            continue  # under a symlinked folder: the walk does not enter those
        if _admit(root, rel, full, exclude, skipped):
            files.append(rel)
    return FileSet(root=root, files=tuple(files), skipped=tuple(skipped))


def _admit(root: Path, rel: str, full: str, exclude: Sequence[str], skipped: list[str]) -> bool:
    """Whether the file at `full` (`rel` under root) is listed; why not goes to `skipped` where it matters."""
    if not _valid_name(rel):
        skipped.append(f"{rel.encode('utf-8', 'surrogateescape')!r}: file name is not valid UTF-8")
        return False
    if exclude and match_any(rel, exclude):
        return False
    if os.path.islink(full) and not _inside(root, full):
        skipped.append(f"{rel}: symlink pointing outside the scanned tree")
        return False
    return os.path.isfile(full)


def _excluded(rel_dir: str, name: str, exclude: Sequence[str]) -> bool:
    if not exclude:
        return False
    rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
    return match_any(rel, exclude) or match_any(rel + "/", exclude)


def _valid_name(rel: str) -> bool:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\n" not in rel and "\r" not in rel


def _inside(root: Path, path: str) -> bool:
    try:
        Path(path).resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def relativize(uri: str, root: Path, cwd: Path | None = None) -> str | None:
    """A tool-reported path as a repo-relative POSIX path, or None if it points outside root."""
    if uri.startswith("file://"):
        uri = uri[len("file://"):]
    candidate = Path(uri)
    if not candidate.is_absolute():
        candidate = (cwd or root) / candidate
    try:
        resolved = Path(os.path.normpath(candidate))
        rel = resolved.relative_to(root.resolve())
    except ValueError:
        return None
    text = rel.as_posix()
    return None if text in ("", ".") else text
