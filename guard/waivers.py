"""`.guard-waivers.yaml`: reviewed, owned, expiring acceptances of specific findings.

    waivers:
      - rule: B602                  # or `fingerprint: <guard fingerprint>`
        paths: ["scripts/*.py"]     # optional globs (rule waivers only)
        resource: aws_s3_bucket.logs  # optional
        reason: Internal tool, input is a fixed list
        owner: platform-team
        expires: 2026-09-30

A malformed, expired or too-long entry does not apply; it is reported with file:line, and the rest
of the file still applies. An unreadable file applies nothing. Nothing here ever fails open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from guard.config import Config, ConfigError, read_yaml_with_lines
from guard.model import Finding, Waiver
from guard.scanners.base import match_any

EXPIRING_DAYS = 30
_KEYS = {"rule", "fingerprint", "paths", "resource", "reason", "owner", "expires"}


@dataclass(frozen=True, slots=True)
class WaiverSet:
    """The entries that apply, and what was wrong with the ones that do not."""

    waivers: tuple[Waiver, ...] = ()
    resources: tuple[str | None, ...] = ()  # per waiver: the resource it is limited to
    problems: tuple[str, ...] = ()
    expiring: tuple[str, ...] = ()

    def match(self, finding: Finding) -> Waiver | None:
        for w, resource in zip(self.waivers, self.resources):
            if w.fingerprint:
                if w.fingerprint == finding.fingerprint:
                    return w
                continue
            if w.rule_id not in (finding.rule_id, *finding.aliases):
                continue
            if w.paths and not any(path and match_any(path, w.paths) for path in _paths(finding)):
                continue
            if resource and resource != finding.resource:
                continue
            return w
        return None

    def apply(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[tuple[Finding, Waiver]]]:
        """Split findings into (still active, waived with their waiver)."""
        active: list[Finding] = []
        waived: list[tuple[Finding, Waiver]] = []
        for f in findings:
            w = self.match(f)
            if w is None:
                active.append(f)
            else:
                waived.append((f, w))
        return active, waived


def _paths(finding: Finding) -> tuple[str | None, str | None]:
    """Where a finding is: its location and, for a module instance's finding reported at the module
    call that made it (PR mode), the module file it was found in, where a full scan reports it."""
    found_in = str(finding.properties.get("module_location") or "").rpartition(":")[0]
    return finding.path, found_in or None


def parse(text: str, source: str, config: Config, today: dt.date) -> WaiverSet:
    """Read a waivers file's text; `source` names it in messages (e.g. `.guard-waivers.yaml` or `REF:...`)."""
    try:
        data, lines = read_yaml_with_lines(Path(source), text)
    except ConfigError as exc:
        return WaiverSet(problems=(f"{exc}; no waivers from this file apply",))
    unknown = sorted(set(map(str, data)) - {"waivers"})
    if unknown:
        return WaiverSet(problems=(f"{source}:{lines.get((unknown[0],), 1)}: unknown key `{unknown[0]}` "
                                   "(expected `waivers:`); no waivers from this file apply",))
    entries = data.get("waivers") or []
    if not isinstance(entries, list):
        return WaiverSet(problems=(f"{source}:{lines.get(('waivers',), 1)}: `waivers` must be a list; "
                                   "no waivers from this file apply",))
    waivers: list[Waiver] = []
    resources: list[str | None] = []
    problems: list[str] = []
    expiring: list[str] = []
    for i, entry in enumerate(entries):
        where = f"{source}:{lines.get(('waivers', str(i)), 1)}"
        try:
            waiver, resource = _entry(entry, where, config, today)
        except ValueError as exc:
            problems.append(f"{where}: {exc}; this waiver does not apply")
            continue
        waivers.append(waiver)
        resources.append(resource)
        days = (dt.date.fromisoformat(waiver.expires) - today).days
        if days <= EXPIRING_DAYS:
            what = waiver.rule_id or f"fingerprint {waiver.fingerprint}"
            expiring.append(f"{where}: {what} (owner {waiver.owner}) expires {waiver.expires}, in {days} day(s)")
    return WaiverSet(tuple(waivers), tuple(resources), tuple(problems), tuple(expiring))


def load(path: Path, config: Config, today: dt.date) -> WaiverSet:
    """The waivers file from the working tree; a missing file is an empty set."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return WaiverSet()
    except OSError as exc:
        return WaiverSet(problems=(f"{path}: cannot read: {exc.strerror}; no waivers from this file apply",))
    return parse(raw.decode("utf-8", "replace"), str(path), config, today)


def _entry(entry: Any, where: str, config: Config, today: dt.date) -> tuple[Waiver, str | None]:
    if not isinstance(entry, dict):
        raise ValueError("each waiver must be a mapping")
    unknown = sorted(set(map(str, entry)) - _KEYS)
    if unknown:
        raise ValueError(f"unknown key `{unknown[0]}` (known: {', '.join(sorted(_KEYS))})")
    rule, fingerprint = _text(entry, "rule", False), _text(entry, "fingerprint", False)
    if bool(rule) == bool(fingerprint):
        raise ValueError("give exactly one of `rule` or `fingerprint`")
    reason, owner = _text(entry, "reason", True), _text(entry, "owner", True)
    expires = _date(entry.get("expires"))
    if expires < today:
        raise ValueError(f"expired on {expires.isoformat()}")
    if (expires - today).days > config.waivers.max_days:
        raise ValueError(f"expires {expires.isoformat()}, more than waivers.max_days "
                         f"({config.waivers.max_days}) days from today")
    paths = entry.get("paths") or []
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise ValueError("`paths` must be a list of globs")
    resource = _text(entry, "resource", False)
    if fingerprint and (paths or resource):
        raise ValueError("`paths` and `resource` narrow rule waivers; a fingerprint waiver names one finding")
    waiver = Waiver(reason=reason or "", owner=owner or "", expires=expires.isoformat(), source=where,
                    rule_id=rule, fingerprint=fingerprint, paths=tuple(paths))
    return waiver, resource


def _text(entry: dict, key: str, required: bool) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise ValueError(f"`{key}` is required")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        raise ValueError(f"`{key}` must be a non-empty string")
    return str(value).strip()


def _date(value: Any) -> dt.date:
    if value is None:
        raise ValueError("`expires` is required (YYYY-MM-DD)")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"`expires` must be a date (YYYY-MM-DD), not {value!r}") from None
