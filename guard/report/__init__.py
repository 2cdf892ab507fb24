"""The run's reports: terminal table, summary.md, findings.json, HTML."""

from __future__ import annotations

from guard.model import ScannerRun


def cache_note(s: ScannerRun) -> str:
    """How much of a scanner's result came from the cache, as shown beside its status ('' for none)."""
    if s.cached:
        return " (cached)"
    if s.files_cached:
        return f" ({s.files_cached} of {s.files_scanned} files cached)"
    return ""
