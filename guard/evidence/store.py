"""Where run bundles and the ledger live: the `EvidenceStore` seam and `open_store`.

Layout under a store's root: `runs/<run_id>/<file>` for each run bundle and
`ledger/<seq>.json` for the append-only ledger. A run counts as stored only once its ledger
entry exists; a bundle without one (an interrupted write) is ignored by export.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol


class StoreError(Exception):
    """The store cannot be read or written (exit 2); the message names the location and cause."""


class EvidenceStore(Protocol):
    location: str

    def put_run(self, run_id: str, staging: Path) -> str:
        """Copy a finished bundle directory in, so that it appears whole or not at all; its location."""

    def run_files(self, run_id: str) -> list[str]:
        """Relative names of the files stored for a run (empty if the run is absent)."""

    def open_file(self, run_id: str, name: str) -> BinaryIO:
        """A stream of one stored file (the caller closes it)."""

    def ledger_names(self) -> list[str]:
        """Names of every ledger entry, sorted."""

    def read_ledger(self, name: str) -> bytes:
        """One ledger entry's bytes."""

    def append_ledger(self, name: str, data: bytes) -> bool:
        """Create a ledger entry; False (and nothing written) if one of that name already exists."""


def open_store(destination: str, *, endpoint_url: str | None = None, kms_key_id: str | None = None,
               object_lock_mode: str | None = None, retention_days: int = 0, max_attempts: int = 6) -> EvidenceStore:
    """A store for `DIR` or `s3://BUCKET/PREFIX`."""
    if destination.startswith("s3://"):
        from guard.evidence.store_s3 import S3Store

        return S3Store(destination, endpoint_url=endpoint_url, kms_key_id=kms_key_id,
                       object_lock_mode=object_lock_mode, retention_days=retention_days, max_attempts=max_attempts)
    if "://" in destination:
        raise StoreError(f"{destination}: unsupported store (use a directory or s3://BUCKET/PREFIX)")
    from guard.evidence.store_dir import DirStore

    return DirStore(Path(destination))
