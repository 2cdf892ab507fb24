"""Canonical manifests and file hashing.

A manifest is JSON stored in its canonical form (sorted keys, no insignificant whitespace,
UTF-8), so the bytes on disk are exactly the bytes that are hashed and signed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, BinaryIO, Iterator

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
RESERVED = frozenset({MANIFEST, SIGNATURE})
RUN_FORMAT = "guard-evidence-run"
EXPORT_FORMAT = "guard-evidence-export"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class ManifestError(Exception):
    """A manifest cannot be read or is not canonical."""


def canonical(doc: Any) -> bytes:
    """The canonical JSON bytes of `doc`."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_stream(fh: BinaryIO) -> tuple[str, int]:
    """sha256 hex digest and size of a stream, read in chunks."""
    digest, size = hashlib.sha256(), 0
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as fh:
        return sha256_stream(fh)


def walk(root: Path) -> Iterator[tuple[str, Path]]:
    """(POSIX relative name, path) of every entry under root that is not a directory, sorted."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames) + [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            path = Path(dirpath) / name
            yield path.relative_to(root).as_posix(), path


def file_entries(root: Path) -> dict[str, dict[str, Any]]:
    """{relative name: {sha256, size}} for every file under root except the manifest and signature."""
    out: dict[str, dict[str, Any]] = {}
    for name, path in walk(root):
        if name in RESERVED:
            continue
        digest, size = sha256_file(path)
        out[name] = {"sha256": digest, "size": size}
    return out


def parse(data: bytes, where: str) -> dict[str, Any]:
    """Parse manifest bytes, requiring a JSON object in canonical form."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ManifestError(f"{where}: not a JSON object")
    if canonical(doc) != data:
        raise ManifestError(f"{where}: not in canonical form (edited after it was written)")
    files = doc.get("files")
    if doc.get("format") not in (RUN_FORMAT, EXPORT_FORMAT) or not isinstance(files, dict):
        raise ManifestError(f"{where}: not a guard evidence manifest")
    for name, entry in files.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str) and isinstance(entry.get("size"), int)):
            raise ManifestError(f"{where}: malformed entry for {name!r}")
    return doc
