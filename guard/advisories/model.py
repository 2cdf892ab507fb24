"""An OSV advisory as guard reads it (https://ossf.github.io/osv-schema/)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

RANGE_EVENTS = ("introduced", "fixed", "last_affected", "limit")


class AdvisoryFormatError(ValueError):
    """An OSV record that does not follow the schema; the message names where it came from."""


@dataclass(frozen=True, slots=True)
class Range:
    type: str  # ECOSYSTEM | SEMVER | GIT
    events: tuple[tuple[str, str], ...]  # (event kind, version), in document order


@dataclass(frozen=True, slots=True)
class Affected:
    ecosystem: str
    name: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()

    @property
    def fixed_versions(self) -> tuple[str, ...]:
        return tuple(v for r in self.ranges if r.type != "GIT" for kind, v in r.events if kind == "fixed")


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    modified: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    published: str | None = None
    withdrawn: str | None = None
    severity: tuple[tuple[str, str], ...] = ()  # (CVSS_V3 | CVSS_V4 | CVSS_V2 | Ubuntu, vector)
    database_severity: str | None = None  # e.g. GHSA's database_specific.severity ("HIGH")
    cwe: tuple[str, ...] = ()
    references: tuple[tuple[str, str], ...] = ()  # (type, url)
    affected: tuple[Affected, ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))

    @classmethod
    def from_osv(cls, doc: Any, origin: str) -> "Advisory":
        """Validate the parts guard relies on; AdvisoryFormatError names `origin` and the field."""

        def bad(msg: str) -> AdvisoryFormatError:
            return AdvisoryFormatError(f"{origin}: {msg}")

        if not isinstance(doc, Mapping):
            raise bad("not an OSV record (expected a mapping)")
        ident, modified = doc.get("id"), doc.get("modified")
        if not isinstance(ident, str) or not ident:
            raise bad("missing `id`")
        if not isinstance(modified, str) or not modified:
            raise bad(f"{ident}: missing `modified`")
        affected = []
        for i, entry in enumerate(_list(doc, "affected", bad)):
            where = f"{ident}: affected[{i}]"
            if not isinstance(entry, Mapping):
                raise bad(f"{where} is not a mapping")
            package = entry.get("package")
            if package is None:
                continue  # GIT-only entries without a package cannot match a dependency
            if not isinstance(package, Mapping) or not all(
                isinstance(package.get(k), str) and package.get(k) for k in ("ecosystem", "name")
            ):
                raise bad(f"{where}.package needs `ecosystem` and `name`")
            ranges = []
            for j, rng in enumerate(_list(entry, "ranges", bad)):
                if not isinstance(rng, Mapping) or not isinstance(rng.get("type"), str):
                    raise bad(f"{where}.ranges[{j}] needs a `type`")
                events = []
                for event in _list(rng, "events", bad):
                    if not isinstance(event, Mapping) or len(event) != 1:
                        raise bad(f"{where}.ranges[{j}]: each event has exactly one key")
                    ((kind, version),) = event.items()
                    if kind not in RANGE_EVENTS or not isinstance(version, (str, int, float)):
                        raise bad(f"{where}.ranges[{j}]: bad event {dict(event)!r}")
                    events.append((kind, str(version)))
                ranges.append(Range(rng["type"], tuple(events)))
            versions = tuple(str(v) for v in _list(entry, "versions", bad))
            affected.append(Affected(package["ecosystem"], package["name"], tuple(ranges), versions))
        severity = tuple(
            (str(s.get("type", "")), str(s.get("score", "")))
            for s in _list(doc, "severity", bad)
            if isinstance(s, Mapping)
        )
        dbs = doc.get("database_specific") if isinstance(doc.get("database_specific"), Mapping) else {}
        cwe = tuple(str(c) for c in dbs.get("cwe_ids") or () if isinstance(c, str))
        db_sev = dbs.get("severity") if isinstance(dbs.get("severity"), str) else None
        refs = tuple(
            (str(r.get("type", "WEB")), str(r["url"]))
            for r in _list(doc, "references", bad)
            if isinstance(r, Mapping) and isinstance(r.get("url"), str)
        )
        return cls(
            id=ident,
            modified=modified,
            aliases=tuple(str(a) for a in _list(doc, "aliases", bad)),
            summary=str(doc.get("summary") or ""),
            details=str(doc.get("details") or ""),
            published=str(doc["published"]) if doc.get("published") else None,
            withdrawn=str(doc["withdrawn"]) if doc.get("withdrawn") else None,
            severity=severity,
            database_severity=db_sev,
            cwe=cwe,
            references=refs,
            affected=tuple(affected),
        )


def _list(doc: Mapping[str, Any], key: str, bad: Any) -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad(f"`{key}` must be a list")
    return value
