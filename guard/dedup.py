"""Cross-tool deduplication, DefectDojo-style.

Two findings are the same problem when they share a vulnerability id (CVE/GHSA/... among rule id
and aliases) or a CWE, and sit in the same file on overlapping lines — or, without a file, name
the same resource. The merged finding keeps the most severe of the group as its primary and
lists every tool in `found_by`; the original results stay in the raw tool outputs.
"""

from __future__ import annotations

from typing import Sequence

from guard.model import Finding, evolve


def _ids(f: Finding) -> set[str]:
    ids = {a.upper() for a in f.aliases}
    if any(f.rule_id.upper().startswith(p) for p in ("CVE-", "GHSA-", "PYSEC-", "GO-", "OSV-", "RUSTSEC-")):
        ids.add(f.rule_id.upper())
    return ids


def _lines(f: Finding) -> tuple[int, int] | None:
    if f.location is None or not f.location.start_line:
        return None
    return f.location.start_line, f.location.end_line or f.location.start_line


def same_problem(a: Finding, b: Finding) -> bool:
    """True if `a` and `b` (from different tools) describe the same problem at the same place."""
    if a.tool == b.tool:
        return False
    if not (_ids(a) & _ids(b) or set(a.cwe) & set(b.cwe)):
        return False
    if a.location is None or b.location is None:
        return a.location is None and b.location is None and a.resource is not None and a.resource == b.resource
    if a.location.path != b.location.path:
        return False
    la, lb = _lines(a), _lines(b)
    if la is None or lb is None:
        return la is None and lb is None and (a.resource or "") == (b.resource or "")
    return la[0] <= lb[1] and lb[0] <= la[1]


def dedup(findings: Sequence[Finding]) -> list[Finding]:
    """Merge findings that `same_problem` says are one; order of first appearance is kept."""
    by_path: dict[str | None, list[int]] = {}
    groups: list[list[Finding]] = []
    for f in findings:
        key = f.location.path if f.location else None
        for gi in by_path.get(key, []):
            if any(same_problem(f, g) for g in groups[gi]) and f.tool not in {g.tool for g in groups[gi]}:
                groups[gi].append(f)
                break
        else:
            by_path.setdefault(key, []).append(len(groups))
            groups.append([f])
    return [_merge(g) for g in groups]


def _merge(group: list[Finding]) -> Finding:
    if len(group) == 1:
        return group[0]
    primary = max(group, key=lambda f: f.severity.rank)
    found_by = tuple(dict.fromkeys(t for f in group for t in (f.found_by or (f.tool,))))
    cwe = tuple(dict.fromkeys(c for f in group for c in f.cwe))
    aliases = tuple(dict.fromkeys(a for f in group for a in f.aliases))
    merged = {f"{f.tool}:{f.rule_id}" for f in group if f is not primary}
    props = {**primary.properties, "merged": sorted(merged)}
    return evolve(primary, found_by=found_by, cwe=cwe, aliases=aliases, properties=props)
