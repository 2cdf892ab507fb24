"""Framework catalogs and mapping tables that passed their checks, remembered by content.

Reading a catalog with its line index and checking it against the schema costs about 0.1 s for the
built-in set at every run (the pre-commit hook's and the PR check's too). What a document that
passed its checks yields is kept in `<cache>/catalogs/<key>.json`, keyed by the document's text,
what else judged it (the schema, the file's path where messages quote it) and guard's compliance
code; a later run reads that back instead. A missing or unreadable record is a miss. A document
with problems is never remembered: its errors, with file and line, are reported every time.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

from guard import jsonenc
from guard.atomic import atomic_write
from guard.cache_budget import touch
from guard.digest import code_digest
from guard.paths import cache_dir

T = TypeVar("T")


@lru_cache(maxsize=1)
def _code() -> str:
    return code_digest(Path(__file__).resolve().parent)


def remembered(text: str, context: str, check: Callable[[], Any], use: Callable[[Any], T]) -> T:
    """`use(check())` for a document `text`: `check` returns its checked form as plain JSON (and
    raises on a bad document); an earlier run's record of that form for the same text, `context`
    and code is used instead when there is one and `use` accepts it."""
    h = hashlib.sha256(f"{_code()}\0{context}\0".encode("utf-8", "surrogateescape"))
    h.update(text.encode("utf-8", "surrogateescape"))
    record = cache_dir() / "catalogs" / f"{h.hexdigest()}.json"
    try:
        result = use(jsonenc.loads(record.read_bytes()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # no record, or not one this code wrote: check the document again
    else:
        touch(record)
        return result
    checked = check()
    result = use(checked)
    try:
        atomic_write(record, jsonenc.dumps(checked))
    except OSError:
        pass  # a read-only cache: checked again next time
    return result
