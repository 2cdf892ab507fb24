"""Parsed config-file entries on disk, keyed by path, parser kind and file content.

Parsing Terraform (python-hcl2) and large JSON files dominates the policy stage; a re-scan
reads the entry instead. The key also covers the parser code and the parser libraries'
versions, so changing either re-parses. A missing or unreadable entry is a miss, never an error;
only successfully parsed files are stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from guard import __version__

MISS = object()  # get() found no usable entry


@lru_cache(maxsize=1)
def _parser_hash() -> str:
    h = hashlib.sha256(__version__.encode())
    for dist in ("python-hcl2", "PyYAML", "lark"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?".encode())
    for src in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(src.name.encode() + b"\0" + src.read_bytes())
    return h.hexdigest()


class ParseCache:
    """Entries under `root/<key[:2]>/<key>.json` (the stored value may be None: no documents)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(path: str, kind: str, text: str) -> str:
        h = hashlib.sha256(_parser_hash().encode())
        h.update(f"\0{kind}\0{path}\0".encode("utf-8", "surrogateescape"))
        h.update(text.encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any:
        """The stored entry, or `MISS`."""
        try:
            return json.loads(self._file(key).read_bytes())["entry"]
        except (OSError, ValueError, KeyError, TypeError):
            return MISS

    def put(self, key: str, entry: dict[str, Any] | None) -> None:
        """Store `entry` (best effort: a cache that cannot be written only costs time)."""
        target = self._file(key)
        try:
            data = json.dumps({"entry": entry}, ensure_ascii=False).encode("utf-8")
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError, ValueError):
            return

