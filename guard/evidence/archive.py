"""Bundle archives (.tar.gz, .zip): streaming writer and safe extraction.

Extraction checks every member before writing anything: absolute paths, `..`, backslashes and
drive letters, symbolic and hard links, device files and FIFOs, and duplicates are refused.
Files are then written by guard itself (never by tarfile/zipfile's extract), inside `dest` only.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile
import zipfile
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

COMPRESSLEVEL = 1  # JSON compresses about 8x even at level 1; higher levels cost several times the CPU


class ArchiveError(Exception):
    """The archive cannot be read (exit 2)."""


class UnsafeArchive(Exception):
    """The archive holds members that must not be extracted; `problems` names each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "tar"
    if name.endswith(".zip"):
        return "zip"
    return None


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it."""

    def __init__(self, src: BinaryIO) -> None:
        self.src, self.digest, self.size = src, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.src.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class ParallelGzip(io.RawIOBase):
    """A write-only gzip stream compressed in blocks on worker threads (zlib releases the GIL).

    Each block becomes one gzip member; a gzip file may hold many members back to back
    (RFC 1952), and every gzip reader, Python's included, reads them as one stream.
    """

    BLOCK = 4 * 1024 * 1024

    def __init__(self, fh: BinaryIO, level: int, workers: int = max(2, os.cpu_count() or 2)) -> None:
        self.fh, self.level = fh, level
        self.pool = ThreadPoolExecutor(workers)
        self.pending: deque[Future[bytes]] = deque()
        self.buffer = bytearray()
        self.limit = workers * 2

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        while len(self.buffer) >= self.BLOCK:
            self._submit(bytes(self.buffer[:self.BLOCK]))
            del self.buffer[:self.BLOCK]
        return len(data)

    def _submit(self, block: bytes) -> None:
        self.pending.append(self.pool.submit(gzip.compress, block, self.level, mtime=0))
        while len(self.pending) > self.limit:
            self.fh.write(self.pending.popleft().result())

    def close(self) -> None:
        if not self.closed:
            if self.buffer or not self.pending:
                self._submit(bytes(self.buffer))
            while self.pending:
                self.fh.write(self.pending.popleft().result())
            self.pool.shutdown()
        super().close()


class Writer:
    """Write members one by one into a .tar.gz or .zip; streams are copied, never held whole."""

    def __init__(self, fh: BinaryIO, fmt: str) -> None:
        self.fmt = fmt
        if fmt == "tar":
            self.gz = ParallelGzip(fh, COMPRESSLEVEL)
            self.tar = tarfile.open(fileobj=self.gz, mode="w|", format=tarfile.PAX_FORMAT)
        else:
            self.zip = zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL)

    def add(self, name: str, src: BinaryIO, size: int) -> tuple[str, int]:
        """Copy `size` bytes of `src` in as `name`; the (sha256, size) of what was copied."""
        hashing = _Hashing(src)
        if self.fmt == "tar":
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, 0o644, 0
            self.tar.addfile(info, hashing)
        else:
            with self.zip.open(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), "w", force_zip64=True) as out:
                while chunk := hashing.read(1024 * 1024):
                    out.write(chunk)
        return hashing.digest.hexdigest(), hashing.size

    def add_bytes(self, name: str, data: bytes) -> tuple[str, int]:
        return self.add(name, io.BytesIO(data), len(data))

    def close(self) -> None:
        if self.fmt == "tar":
            self.tar.close()
            self.gz.close()
        else:
            self.zip.close()


def _check_name(name: str) -> str | None:
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if "\\" in name:
        return "backslash in path"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return "path traversal (..)"
    if any(p in ("", ".") for p in parts):
        return "non-normal path"
    return None


def extract(archive: Path, dest: Path) -> None:
    """Extract a bundle archive into the empty directory `dest`, refusing anything unsafe."""
    fmt = kind(archive)
    if fmt is None:
        raise ArchiveError(f"{archive}: not a .tar.gz, .tgz or .zip file")
    try:
        if fmt == "tar":
            _extract_tar(archive, dest)
        else:
            _extract_zip(archive, dest)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise ArchiveError(f"{archive}: unreadable archive ({exc})") from None


def _write(dest: Path, name: str, src: BinaryIO) -> None:
    path = dest / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:
        while chunk := src.read(1024 * 1024):
            out.write(chunk)


def _extract_tar(archive: Path, dest: Path) -> None:
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        problems, seen = [], set()
        for m in members:
            reason = _check_name(m.name)
            if reason is None and (m.issym() or m.islnk()):
                reason = f"link to {m.linkname!r}"
            elif reason is None and not (m.isfile() or m.isdir()):
                reason = "device file or FIFO"
            elif reason is None and m.isfile() and m.name in seen:
                reason = "duplicate member"
            if reason:
                problems.append(f"{m.name}: unsafe archive member ({reason})")
            seen.add(m.name)
        if problems:
            raise UnsafeArchive(problems)
        for m in members:
            if m.isdir():
                (dest / m.name).mkdir(parents=True, exist_ok=True)
                continue
            src = tar.extractfile(m)
            assert src is not None  # a regular file always has data
            _write(dest, m.name, src)


def _extract_zip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        problems, seen = [], set()
        for info in infos:
            mode = info.external_attr >> 16
            reason = _check_name(info.filename)
            if reason is None and stat.S_ISLNK(mode):
                reason = "symbolic link"
            elif reason is None and mode and stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                reason = "device file or FIFO"
            elif reason is None and info.filename in seen:
                reason = "duplicate member"
            if reason:
                problems.append(f"{info.filename}: unsafe archive member ({reason})")
            seen.add(info.filename)
        if problems:
            raise UnsafeArchive(problems)
        for info in infos:
            if info.is_dir():
                (dest / info.filename).mkdir(parents=True, exist_ok=True)
                continue
            with zf.open(info) as src:
                _write(dest, info.filename, src)
