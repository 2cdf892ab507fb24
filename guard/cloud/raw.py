"""The raw evidence: every API response a collector received, unchanged, one JSON file per call.

Layout: <root>/aws/<account>/<region>/<service>/<Operation>.json for account- or region-wide calls
and <Operation>/<key>.json for calls about one resource (key: bucket name, key id...). Global
services (IAM, the S3 bucket list) use the region name "global". Each file is

    {"operation": ..., "service": ..., "account": ..., "region": ..., "params": {...},
     "collected_at": ISO-8601, "responses": [page, ...]}          (a paginated call: every page)
 or {..., "error": {"Error": {"Code": ..., "Message": ...}, "ResponseMetadata": ...}}

`responses` and `error` are exactly what botocore returned (timestamps as ISO-8601 text, blobs as
UTF-8 text such as the IAM credential report's CSV). Normalizers read only these files, so a
saved evidence bundle can be re-normalized and re-judged without calling AWS again.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from pathlib import Path
from typing import Any, Iterator

from guard.atomic import atomic_write

_UNSAFE = re.compile(r"[^A-Za-z0-9._=@+-]")


def safe_name(text: str) -> str:
    """A file name for a resource key (ARNs and names may hold `/` and `:`)."""
    name = _UNSAFE.sub("_", text)
    return name if name not in ("", ".", "..") else "_"


def _default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot store {type(value).__name__} in raw evidence")


class RawStore:
    """Writes raw responses under `root/aws/...` (thread-safe: each call writes its own file)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self.files: list[Path] = []

    def path(self, account: str, region: str, service: str, operation: str, key: str | None = None) -> Path:
        base = self.root / "aws" / account / region / service
        return base / operation / f"{safe_name(key)}.json" if key is not None else base / f"{operation}.json"

    def write(self, record: dict[str, Any], key: str | None = None) -> Path:
        path = self.path(record["account"], record["region"], record["service"], record["operation"], key)
        atomic_write(path, json.dumps(record, indent=1, sort_keys=True, default=_default, ensure_ascii=False))
        with self._lock:
            self.files.append(path)
        return path

    def view(self, account: str, region: str, service: str) -> "RawView":
        return RawView(self.root / "aws" / account / region / service)


class RawView:
    """Read access to one account/region/service directory of raw responses."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def record(self, operation: str, key: str | None = None) -> dict[str, Any] | None:
        path = self.directory / operation / f"{safe_name(key)}.json" if key is not None else self.directory / f"{operation}.json"
        if not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def pages(self, operation: str, key: str | None = None) -> list[dict[str, Any]]:
        """The response pages of a call (empty when not made or answered with an error)."""
        rec = self.record(operation, key)
        return list(rec.get("responses") or []) if rec else []

    def items(self, operation: str, field: str, key: str | None = None) -> list[Any]:
        """`field` of every page, concatenated (`items("ListKeys", "Keys")`)."""
        return [item for page in self.pages(operation, key) for item in page.get(field) or []]

    def first(self, operation: str, key: str | None = None) -> dict[str, Any] | None:
        pages = self.pages(operation, key)
        return pages[0] if pages else None

    def error_code(self, operation: str, key: str | None = None) -> str | None:
        rec = self.record(operation, key)
        return ((rec or {}).get("error") or {}).get("Error", {}).get("Code")

    def keyed(self, operation: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(params, record) of every per-resource call of `operation`."""
        folder = self.directory / operation
        if folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                rec = json.loads(path.read_text(encoding="utf-8"))
                yield rec.get("params") or {}, rec

    def collected_at(self) -> dt.datetime | None:
        times = [json.loads(p.read_text(encoding="utf-8")).get("collected_at") for p in self.directory.rglob("*.json")]
        times = [t for t in times if t]
        return dt.datetime.fromisoformat(min(times)) if times else None
