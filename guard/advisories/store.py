"""The local advisory store: one SQLite file, replaced atomically on every import.

Layout: `<dir>/osv.sqlite3`. An import writes `<dir>/osv.sqlite3.new-<pid>` beside it and renames
it over the old file only when every record was read and validated, so a failed import leaves
the previous store untouched and usable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from guard import paths
from guard.advisories.model import Advisory, AdvisoryFormatError
from guard.advisories.sources import SourceError, records
from guard.advisories.versions import base_ecosystem, normalize_name

if TYPE_CHECKING:
    from guard.config import Config

SCHEMA_VERSION = "1"
FILENAME = "osv.sqlite3"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisories (id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER NOT NULL,
                         record TEXT NOT NULL);
CREATE TABLE affected (advisory_id TEXT NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL);
CREATE INDEX affected_package ON affected (ecosystem, name);
CREATE INDEX affected_advisory ON affected (advisory_id);
"""


class StoreError(Exception):
    """The store is missing, unreadable, or an import failed; one-line reason."""


@dataclass(frozen=True, slots=True)
class ImportedSource:
    source: str
    imported_at: str  # ISO 8601, UTC
    records: int


@dataclass(frozen=True, slots=True)
class StoreStatus:
    path: Path
    imported_at: dt.datetime
    sources: tuple[ImportedSource, ...]
    advisories: int
    withdrawn: int
    per_ecosystem: dict[str, int] = field(default_factory=dict)
    newest_modified: str | None = None
    seconds: float = 0.0  # time the last import took

    def age_days(self, now: dt.datetime | None = None) -> float:
        now = now or dt.datetime.now(dt.timezone.utc)
        return (now - self.imported_at).total_seconds() / 86400


def location(config: "Config | None" = None) -> Path:
    """`advisories.db` from the config when set, else `<cache>/advisories`."""
    if config is not None and config.advisories.db:
        return Path(config.advisories.db).expanduser()
    return paths.cache_dir() / "advisories"


class AdvisoryStore:
    """Read access to an imported store plus the atomic import that (re)builds it."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.file = self.directory / FILENAME
        self._conn: sqlite3.Connection | None = None
        self._cache: dict[tuple[str, str], list[Advisory]] = {}

    # --- reading ---------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.file.is_file()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.exists():
                raise StoreError(f"no advisory database at {self.file}: run `guard db import PATH|URL` first")
            try:
                conn = sqlite3.connect(f"file:{self.file}?mode=ro", uri=True, check_same_thread=False)
                version = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            except sqlite3.Error as exc:
                raise StoreError(f"advisory database {self.file} is unreadable: {exc}") from None
            if not version or version[0] != SCHEMA_VERSION:
                raise StoreError(f"advisory database {self.file} has an unknown layout: re-run `guard db import`")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def status(self) -> StoreStatus:
        conn = self._db()
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            total, withdrawn = conn.execute("SELECT count(*), coalesce(sum(withdrawn), 0) FROM advisories").fetchone()
            per_eco = dict(conn.execute(
                "SELECT ecosystem, count(DISTINCT advisory_id) FROM affected GROUP BY ecosystem ORDER BY ecosystem"
            ))
            newest = conn.execute("SELECT max(modified) FROM advisories").fetchone()[0]
        except sqlite3.Error as exc:
            raise StoreError(f"advisory database {self.file} is unreadable: {exc}") from None
        return StoreStatus(
            path=self.file,
            imported_at=dt.datetime.fromisoformat(meta["imported_at"]),
            sources=tuple(ImportedSource(**s) for s in json.loads(meta["sources"])),
            advisories=total,
            withdrawn=withdrawn,
            per_ecosystem=per_eco,
            newest_modified=newest,
            seconds=float(meta.get("seconds", 0.0)),
        )

    def for_package(self, ecosystem: str, name: str) -> list[Advisory]:
        """Every advisory (withdrawn included) with an affected entry for this package."""
        key = (base_ecosystem(ecosystem), normalize_name(ecosystem, name))
        if key not in self._cache:
            try:
                rows = self._db().execute(
                    "SELECT DISTINCT a.id, a.record FROM affected f JOIN advisories a ON a.id = f.advisory_id "
                    "WHERE f.ecosystem = ? AND f.name = ? ORDER BY a.id",
                    key,
                ).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"advisory database {self.file} is unreadable: {exc}") from None
            self._cache[key] = [Advisory.from_osv(json.loads(rec), f"{self.file}:{ident}") for ident, rec in rows]
        return self._cache[key]

    # --- importing -------------------------------------------------------------------------

    def import_sources(self, sources: Sequence[str], append: bool = False) -> StoreStatus:
        """Build a new store from `sources` (plus the current one when `append`) and swap it in."""
        if not sources:
            raise StoreError("nothing to import: give a directory, an all.zip or a URL")
        started = dt.datetime.now(dt.timezone.utc)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f"{FILENAME}.new-", dir=self.directory)
        os.close(fd)
        tmp = Path(tmp_name)
        conn: sqlite3.Connection | None = None
        try:
            previous: list[dict[str, object]] = []
            if append and self.exists():
                previous = [_as_dict(s) for s in self.status().sources]
                self.close()
                shutil.copyfile(self.file, tmp)
                conn = sqlite3.connect(tmp)
            else:
                tmp.unlink()
                conn = sqlite3.connect(tmp)
                conn.executescript(_SCHEMA)
            with tempfile.TemporaryDirectory(dir=self.directory, prefix="download-") as scratch:
                imported = [_load(conn, source, Path(scratch)) for source in sources]
            stamp = started.isoformat(timespec="seconds")
            entries = previous + [{"source": s, "imported_at": stamp, "records": n} for s, n in zip(sources, imported)]
            seconds = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("schema", SCHEMA_VERSION), ("imported_at", stamp), ("sources", json.dumps(entries)),
                 ("seconds", f"{seconds:.3f}")],
            )
            conn.commit()
            conn.close()
            conn = None
            self.close()
            os.replace(tmp, self.file)
        except (SourceError, AdvisoryFormatError) as exc:
            raise StoreError(f"import failed, previous database kept: {exc}") from None
        except sqlite3.Error as exc:
            raise StoreError(f"import failed, previous database kept: sqlite: {exc}") from None
        except OSError as exc:
            raise StoreError(f"import failed, previous database kept: {exc}") from None
        finally:
            if conn is not None:
                conn.close()
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}-journal").unlink(missing_ok=True)
        self._cache.clear()
        return self.status()


def _as_dict(source: ImportedSource) -> dict[str, object]:
    return {"source": source.source, "imported_at": source.imported_at, "records": source.records}


def _load(conn: sqlite3.Connection, source: str, scratch: Path) -> int:
    count = 0
    for origin, doc in records(source, scratch):
        advisory = Advisory.from_osv(doc, origin)
        conn.execute("DELETE FROM affected WHERE advisory_id = ?", (advisory.id,))
        conn.execute(
            "INSERT OR REPLACE INTO advisories (id, modified, withdrawn, record) VALUES (?, ?, ?, ?)",
            (advisory.id, advisory.modified, int(bool(advisory.withdrawn)), json.dumps(doc, separators=(",", ":"))),
        )
        conn.executemany(
            "INSERT INTO affected (advisory_id, ecosystem, name) VALUES (?, ?, ?)",
            _package_rows(advisory),
        )
        count += 1
    return count


def _package_rows(advisory: Advisory) -> Iterable[tuple[str, str, str]]:
    seen = {(base_ecosystem(a.ecosystem), normalize_name(a.ecosystem, a.name)) for a in advisory.affected}
    return [(advisory.id, eco, name) for eco, name in sorted(seen)]
