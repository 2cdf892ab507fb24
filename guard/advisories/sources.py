"""Where OSV records come from: a directory of JSON/YAML files, an OSV `all.zip`, or a URL to one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, Iterator

import yaml

MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024
MAX_RECORD_BYTES = 16 * 1024 * 1024
_SUFFIXES = (".json", ".yaml", ".yml")


class SourceError(Exception):
    """A source that cannot be read or holds a malformed record; the message names it."""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def download(url: str, dest: Path, timeout: float = 120.0) -> Path:
    """Fetch `url` into `dest` (streamed, size-capped)."""
    import urllib.error  # (with http and ssl: 0.05 s at every scan that reads the advisory database)
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, dest.open("wb") as out:
            total = 0
            while chunk := response.read(1024 * 1024):
                total += len(chunk)
                if total > MAX_DOWNLOAD_BYTES:
                    raise SourceError(f"{url}: download exceeds {MAX_DOWNLOAD_BYTES} bytes")
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"{url}: download failed: {reason}") from None
    return dest


def records(source: str, scratch: Path) -> Iterator[tuple[str, Any]]:
    """(origin, parsed record) for every OSV file in `source`; `scratch` holds downloads."""
    if is_url(source):
        path = download(source, scratch / "download.zip")
        if not zipfile.is_zipfile(path):
            raise SourceError(f"{source}: not a zip archive (expected an OSV all.zip)")
        yield from _zip_records(path, source)
        return
    path = Path(source)
    if path.is_dir():
        yield from _dir_records(path)
    elif path.is_file() and zipfile.is_zipfile(path):
        yield from _zip_records(path, str(path))
    elif path.is_file() and path.suffix in _SUFFIXES:
        yield str(path), _parse(path.read_bytes(), str(path))
    elif path.exists():
        raise SourceError(f"{source}: neither a directory, a zip archive nor an OSV JSON/YAML file")
    else:
        raise SourceError(f"{source}: no such file or directory")


def _dir_records(root: Path) -> Iterator[tuple[str, Any]]:
    found = False
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or path.suffix not in _SUFFIXES or not path.is_file():
            continue
        found = True
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise SourceError(f"{path}: larger than {MAX_RECORD_BYTES} bytes")
        yield str(path), _parse(path.read_bytes(), str(path))
    if not found:
        raise SourceError(f"{root}: no OSV .json/.yaml files found")


def _zip_records(path: Path, label: str) -> Iterator[tuple[str, Any]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(_SUFFIXES) and not n.endswith("/")]
            if not names:
                raise SourceError(f"{label}: archive holds no OSV .json/.yaml files")
            for name in names:
                info = archive.getinfo(name)
                if info.file_size > MAX_RECORD_BYTES:
                    raise SourceError(f"{label}!{name}: larger than {MAX_RECORD_BYTES} bytes")
                yield f"{label}!{name}", _parse(archive.read(name), f"{label}!{name}")
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{label}: unreadable zip archive: {exc}") from None


def _parse(data: bytes, origin: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{origin}: not UTF-8 (byte {exc.start})") from None
    if origin.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{origin}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    try:
        # Every scalar stays a string: versions such as 1.10 must not become floats, dates not datetimes.
        return yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        raise SourceError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
