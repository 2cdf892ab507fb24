"""Stable finding fingerprints: rule family + path + normalized snippet, not line numbers.

A finding keeps its fingerprint when lines are inserted above it. Identical snippets in one file
are told apart by their order of occurrence. GitHub's own `primaryLocationLineHash` is computed
the same way over the primary line's normalized text.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from guard.model import Finding, evolve

_WS = re.compile(r"\s+")
_MAX_SNIPPET_LINES = 20


def normalize(text: str) -> str:
    """Whitespace-insensitive form of a code snippet."""
    return _WS.sub(" ", text).strip()


def rule_family(finding: Finding) -> str:
    """Rule identity used in fingerprints: the tool and its rule id."""
    return f"{finding.tool}:{finding.rule_id}"


class SourceCache:
    """Reads source lines once per file for snippet extraction."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            try:
                data = (self.root / rel).read_bytes()[: 8 * 1024 * 1024]
                self._lines[rel] = data.decode("utf-8", "replace").splitlines()
            except OSError:
                self._lines[rel] = []
        return self._lines[rel]

    def snippet(self, rel: str, start: int | None, end: int | None) -> str:
        if not start:
            return ""
        lines = self.lines(rel)
        stop = min(end or start, start + _MAX_SNIPPET_LINES - 1)
        return "\n".join(lines[start - 1 : stop])


def compute(finding: Finding, snippet: str, occurrence: int = 0) -> str:
    """Fingerprint hex digest for a finding given its source snippet."""
    loc = finding.location
    parts = [
        rule_family(finding),
        loc.path if loc else "",
        finding.resource or "",
        normalize(snippet) if snippet else (finding.message if not loc or not loc.start_line else ""),
        str(occurrence),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


@lru_cache(maxsize=65536)
def line_hash(text: str) -> str:
    """Hash of one normalized source line, for `partialFingerprints.primaryLocationLineHash`."""
    return hashlib.sha256(normalize(text).encode("utf-8", "surrogateescape")).hexdigest()[:16] + ":1"


def assign(findings: Iterable[Finding], sources: SourceCache) -> list[Finding]:
    """Findings with `fingerprint` filled where empty (occurrence index for identical snippets)."""
    seen: dict[str, int] = {}
    out: list[Finding] = []
    for f in findings:
        if f.fingerprint:
            out.append(f)
            continue
        loc = f.location
        snippet = sources.snippet(loc.path, loc.start_line, loc.end_line) if loc else ""
        base = compute(f, snippet)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(evolve(f, fingerprint=compute(f, snippet, n)))
    return out
