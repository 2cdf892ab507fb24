"""A local directory as the evidence store."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from guard.evidence.manifest import walk
from guard.evidence.store import StoreError

PARTIAL = ".partial-"


class DirStore:
    """Runs under DIR/runs/<id>/, ledger entries under DIR/ledger/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def put_run(self, run_id: str, staging: Path) -> str:
        final = self.root / "runs" / run_id
        partial = self.root / "runs" / f"{PARTIAL}{run_id}-{uuid.uuid4().hex[:8]}"
        try:
            if final.exists():
                raise StoreError(f"{final}: a run with this id is already stored")
            for name, src in walk(staging):
                dest = partial / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                with src.open("rb") as fin, dest.open("wb") as fout:
                    shutil.copyfileobj(fin, fout, 1024 * 1024)
                    fout.flush()
                    os.fsync(fout.fileno())
            os.rename(partial, final)
            _fsync_dir(final.parent)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise StoreError(f"{final}: cannot store run: {exc.strerror or exc}") from None
        return str(final)

    def run_files(self, run_id: str) -> list[str]:
        base = self.root / "runs" / run_id
        return [name for name, _ in walk(base)] if base.is_dir() else []

    def open_file(self, run_id: str, name: str) -> BinaryIO:
        path = self.root / "runs" / run_id / name
        try:
            if path.is_symlink():
                raise StoreError(f"{path}: is a symbolic link")
            return path.open("rb")
        except OSError as exc:
            raise StoreError(f"{path}: cannot read: {exc.strerror}") from None

    def ledger_names(self) -> list[str]:
        base = self.root / "ledger"
        try:
            return sorted(p.name for p in base.iterdir() if not p.name.startswith(".")) if base.is_dir() else []
        except OSError as exc:
            raise StoreError(f"{base}: cannot read ledger: {exc.strerror}") from None

    def read_ledger(self, name: str) -> bytes:
        path = self.root / "ledger" / name
        try:
            return path.read_bytes()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read ledger entry: {exc.strerror}") from None

    def append_ledger(self, name: str, data: bytes) -> bool:
        base = self.root / "ledger"
        try:
            base.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=base)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.link(tmp, base / name)  # fails if the entry exists: no overwrite, no race
            except FileExistsError:
                return False
            finally:
                os.unlink(tmp)
            _fsync_dir(base)
        except OSError as exc:
            raise StoreError(f"{base / name}: cannot write ledger entry: {exc.strerror or exc}") from None
        return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
