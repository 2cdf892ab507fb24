"""Atomic file writes: a file appears whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write via a temporary file in the same directory, fsync (unless not `durable`: a cache's file, which a
    reader that finds it torn after a system crash takes for a miss), then rename over `path`."""
    put_in_place(write_aside(path, data, durable=durable), path)


def write_aside(path: Path, data: str | bytes, *, durable: bool = True) -> Path:
    """`data` in a temporary file beside `path`, synced to disk when `durable`, for `put_in_place` (or the caller
    removes it). Its name holds the writing process's id (`asides_of`), so what a process killed meanwhile left
    can be found."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def put_in_place(aside: Path, path: Path) -> None:
    """Rename a file written by `write_aside` over `path` (removed if that fails)."""
    try:
        os.replace(aside, path)
    except BaseException:
        aside.unlink(missing_ok=True)
        raise


def asides_of(folder: Path, pid: int) -> list[Path]:
    """The temporary files process `pid` began in `folder` with `write_aside` and has not put in place."""
    return [p for p in folder.glob(f".*.{pid}.*.tmp") if p.name.split(".")[-3] == str(pid)]
