"""Parsed config-file entries on disk, keyed by path, parser kind and file content.

Parsing Terraform (python-hcl2) and large JSON files dominates the policy stage; a re-scan
reads the entry instead. The key also covers the parser code and the parser libraries'
versions, so changing either re-parses. A missing or unreadable entry is a miss, never an error;
a file that could not be parsed is stored as where and why it could not.

Parsed files hold whatever secrets the repository holds, so entries are encrypted (AES-GCM) with
a key derived from the file's own content: reading an entry needs the file it came from, and the
cache reveals nothing to someone who has only the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from guard.cache_budget import touch
from guard.digest import code_digest

MISS = object()  # get() found no usable entry


@lru_cache(maxsize=1)
def _parser_hash() -> str:
    """guard's version, the parser code and the parsing libraries' versions."""
    return code_digest(Path(__file__).resolve().parent, dists=("python-hcl2", "PyYAML", "lark"))


@dataclass(frozen=True, slots=True)
class EntryKey:
    """Where an entry lives (`name`) and the secret it is sealed with (`secret`, from the content)."""

    name: str
    secret: bytes = field(repr=False)


class ParseCache:
    """Sealed entries under `root/<name[:2]>/<name>.bin` (the stored value may be None: no documents)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(path: str, kind: str, text: str) -> EntryKey:
        content = text.encode("utf-8", "surrogateescape")
        h = hashlib.sha256(_parser_hash().encode())
        h.update(f"\0{kind}\0{path}\0".encode("utf-8", "surrogateescape"))
        h.update(content)
        secret = hashlib.sha256(b"guard parse-cache seal\0" + h.digest() + content).digest()
        return EntryKey(h.hexdigest(), secret)

    def _file(self, key: EntryKey) -> Path:
        return self.root / key.name[:2] / f"{key.name}.bin"

    def get(self, key: EntryKey) -> Any:
        """The stored entry, or `MISS`."""
        try:
            sealed = self._file(key).read_bytes()
            plain = AESGCM(key.secret).decrypt(sealed[:12], sealed[12:], key.name.encode())
            entry = json.loads(plain)["entry"]
        except (OSError, ValueError, KeyError, TypeError, InvalidTag):
            return MISS
        touch(self._file(key))
        return entry

    def put(self, key: EntryKey, entry: dict[str, Any] | None) -> None:
        """Store `entry` (best effort: a cache that cannot be written only costs time)."""
        target = self._file(key)
        try:
            nonce = os.urandom(12)
            plain = json.dumps({"entry": entry}, ensure_ascii=False).encode("utf-8")
            data = nonce + AESGCM(key.secret).encrypt(nonce, plain, key.name.encode())
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key.name}.", suffix=".tmp", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError, ValueError):
            return

