""".guard-baseline.json: findings accepted as existing, keyed by content fingerprint (never line numbers).

A baselined finding is reported as existing and does not fail the gate. `update` only removes
entries that are fixed (their scanner ran and no longer reports them); new findings are added only
with `add=True`, so the baseline shrinks by default.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from guard.atomic import atomic_write
from guard.model import Finding

FORMAT = "guard-baseline"
VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read; the message names it."""


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # fingerprint -> description

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self.entries

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True, slots=True)
class Update:
    baseline: Baseline
    removed: tuple[str, ...]
    added: tuple[str, ...]


def entry(f: Finding) -> dict[str, Any]:
    """What the file records for a finding: enough for a reviewer, nothing that moves with lines."""
    return {"tool": f.tool, "rule_id": f.rule_id, "severity": f.severity.value, "path": f.path,
            "resource": f.resource, "title": f.title}


def create(findings: Iterable[Finding]) -> Baseline:
    return Baseline({f.fingerprint: entry(f) for f in findings if f.fingerprint})


def update(old: Baseline, findings: Iterable[Finding], scanned_tools: Iterable[str], *, add: bool = False) -> Update:
    """Drop entries of scanners that ran and no longer report them; add new findings only with `add`."""
    current = {f.fingerprint: f for f in findings if f.fingerprint}
    tools = set(scanned_tools)
    kept: dict[str, Mapping[str, Any]] = {}
    removed: list[str] = []
    for fp, desc in old.entries.items():
        if fp in current or desc.get("tool") not in tools:
            kept[fp] = desc
        else:
            removed.append(fp)
    added = [fp for fp in current if fp not in old.entries] if add else []
    for fp in added:
        kept[fp] = entry(current[fp])
    return Update(Baseline(kept), tuple(sorted(removed)), tuple(sorted(added)))


def parse(text: str, source: str) -> Baseline:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise BaselineError(f"{source}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BaselineError(f"{source}: not a guard baseline (expected \"format\": \"{FORMAT}\")")
    if doc.get("version") != VERSION:
        raise BaselineError(f"{source}: baseline version {doc.get('version')!r} is not supported (expected {VERSION})")
    items = doc.get("findings")
    if not isinstance(items, dict) or not all(isinstance(k, str) and isinstance(v, dict) for k, v in items.items()):
        raise BaselineError(f"{source}: `findings` must map fingerprints to descriptions")
    return Baseline(items)


def load(path: Path) -> Baseline:
    """The baseline at `path`; a missing file is an empty baseline."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Baseline()
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read: {exc}") from None
    return parse(text, str(path))


def dumps(baseline: Baseline, now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    doc = {"format": FORMAT, "version": VERSION, "updated": stamp,
           "findings": {fp: dict(baseline.entries[fp]) for fp in sorted(baseline.entries)}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def save(path: Path, baseline: Baseline) -> None:
    atomic_write(path, dumps(baseline))
