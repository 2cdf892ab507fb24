"""Content digests for cache keys: files, folders, and the code and libraries a cached result came from."""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Iterator, Sequence

from guard import __version__


_read_once: dict[str, bytes] | None = None  # within `one_read_per_file`: each file's digest by path


@contextmanager
def one_read_per_file() -> Iterator[None]:
    """Within the block (one run, whose files do not change while it lasts), `hash_file` reads each
    file once: the scanners' keys and the judged run's all hash the files."""
    global _read_once
    _read_once = {}
    try:
        yield
    finally:
        _read_once = None


def hash_file(h: "hashlib._Hash", path: Path) -> None:
    """Feed the digest of the file's bytes (or why it cannot be read) to `h`."""
    known = _read_once
    if known is not None and (digest := known.get(os.fspath(path))) is not None:
        h.update(digest)
        return
    own = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                own.update(block)
    except OSError as exc:
        h.update(f"<unreadable {exc.errno}>".encode())
        return
    if known is not None:
        known[os.fspath(path)] = own.digest()
    h.update(own.digest())


def hash_tree(h: "hashlib._Hash", path: Path) -> None:
    """Feed every file under `path` (relative name and bytes; __pycache__ skipped) to `h`."""
    if path.is_dir():
        for sub in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(sub.relative_to(path)).encode("utf-8", "surrogateescape") + b"\0")
            hash_file(h, sub)
    elif path.is_file():
        hash_file(h, path)
    else:
        h.update(b"<missing>")


def code_digest(*paths: Path, dists: Sequence[str] = ()) -> str:
    """guard's version, the installed versions of `dists` and every file under `paths`: a key part
    that changes when the code producing a cached result does."""
    h = hashlib.sha256(__version__.encode())
    for dist in dists:
        try:
            h.update(f"{dist}={metadata.version(dist)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?\0".encode())
    for path in paths:
        h.update(str(path.name).encode() + b"\0")
        hash_tree(h, path)
    return h.hexdigest()


@lru_cache(maxsize=1)
def package_digest() -> str:
    """`package_state`, worked out once a process: it keys every scanner's cached result, before the first
    tool starts; any change to guard re-keys what its code produced."""
    return package_state()


def package_state() -> str:
    """guard's version and the path, size and modification time of every file of its package, hashed (a
    stat of each, not a read)."""
    package = Path(__file__).resolve().parent
    entries = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        for name in names:
            path = os.path.join(folder, name)
            st = os.stat(path)
            entries.append(f"{os.path.relpath(path, package)}\0{st.st_size}\0{st.st_mtime_ns}\0")
    return hashlib.sha256("".join([__version__, "\0", *sorted(entries)]).encode()).hexdigest()
