"""Cross-tool deduplication, DefectDojo-style.

Two findings are the same problem when they share a vulnerability id (CVE/GHSA/... among rule id
and aliases) or a CWE (tools name one problem by a CWE or its MITRE parent: CWE-259 hard-coded password
and CWE-798 hard-coded credentials, CWE-328 weak hash and CWE-327 broken algorithm), and sit in the
same file on overlapping lines — or, without a file, name the same resource. Two infrastructure
checks must share a topic instead of a CWE (`iac.topics` of their titles): they report whole
resources, where one CWE covers several problems (CWE-250: root user, privilege escalation,
capabilities); a code rule (semgrep's Kubernetes rules) and an infrastructure check must share both.
A secret scanner's finding and an infrastructure check need only the CWE: a credential on lines a
check of literal credentials covers is that check's problem.
The merged finding keeps the most severe of the group as its primary and lists every tool in
`found_by`; the original results stay in the raw tool outputs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from guard.model import INFRASTRUCTURE, Category, Finding, evolve
from guard.scanners.data.iac import same_topic, topics

_ID_PREFIXES = ("CVE-", "GHSA-", "PYSEC-", "GO-", "OSV-", "RUSTSEC-")
_Key = tuple[str | None, str, str]  # (path, "id" | "cwe" | "topic", the id, CWE or topic)
# A CWE -> the MITRE parent (ChildOf) that tools report for the same problem; deduplication compares
# findings by the parent.
CWE_PARENT = {
    "CWE-95": "CWE-94",    # eval injection: code injection
    "CWE-78": "CWE-77",    # OS command injection: command injection
    "CWE-328": "CWE-327",  # weak hash: broken or risky cryptographic algorithm
    "CWE-916": "CWE-327",  # password hash with too little effort (ChildOf CWE-328)
    "CWE-338": "CWE-330",  # weak PRNG: insufficiently random values
    "CWE-259": "CWE-798",  # hard-coded password: hard-coded credentials
    "CWE-23": "CWE-22",    # relative path traversal: path traversal
    "CWE-36": "CWE-22",    # absolute path traversal: path traversal
    "CWE-297": "CWE-295",  # certificate with host mismatch: improper certificate validation
}


def _ids(f: Finding) -> set[str]:
    ids = {a.upper() for a in f.aliases} if f.aliases else set()
    rule_id = _vulnerability_id(f.rule_id)
    if rule_id is not None:
        ids.add(rule_id)
    return ids


@lru_cache(maxsize=4096)
def _vulnerability_id(rule_id: str) -> str | None:
    """The rule id, upper-cased, when it names a vulnerability (many findings share a rule)."""
    upper = rule_id.upper()
    return upper if upper.startswith(_ID_PREFIXES) else None


@lru_cache(maxsize=4096)
def _families(cwes: tuple[str, ...]) -> frozenset[str]:
    """The CWEs as deduplication compares them: each by its parent in `CWE_PARENT`, if any."""
    return frozenset(CWE_PARENT.get(c, c) for c in cwes)


def _topics(f: Finding) -> frozenset[str]:
    return topics(f.rule.short_description)


def _lines(f: Finding) -> tuple[int, int] | None:
    if f.location is None or not f.location.start_line:
        return None
    return f.location.start_line, f.location.end_line or f.location.start_line


def same_problem(a: Finding, b: Finding) -> bool:
    """True if `a` and `b` (from different tools) describe the same problem at the same place."""
    if a.tool == b.tool:
        return False
    if not _ids(a) & _ids(b):
        infrastructure = (a.category in INFRASTRUCTURE) + (b.category in INFRASTRUCTURE)
        if infrastructure == 2:
            if not same_topic(_topics(a), _topics(b)):
                return False
        elif not _families(a.cwe) & _families(b.cwe):
            return False
        elif infrastructure == 1 and Category.SECRET not in (a.category, b.category) \
                and not same_topic(_topics(a), _topics(b)):
            return False  # a code rule and an infrastructure check on one manifest: the topic decides too
    if a.location is None or b.location is None:
        return a.location is None and b.location is None and a.resource is not None and a.resource == b.resource
    if a.location.path != b.location.path:
        return False
    la, lb = _lines(a), _lines(b)
    if la is None or lb is None:
        return la is None and lb is None and (a.resource or "") == (b.resource or "")
    return la[0] <= lb[1] and lb[0] <= la[1]


def dedup(findings: Sequence[Finding]) -> list[Finding]:
    """Merge findings that `same_problem` says are one; order of first appearance is kept.

    Only groups sharing a file and an id or CWE with a finding can take it, so groups are indexed by
    (path, id) and (path, CWE) and just those are tried, oldest first; not those the finding's tool
    is already in under that key (many findings of one tool share a file and CWE). A finding in a file
    only one tool reported on (or, without a file, of the only tool reporting any) is a group of its own:
    a group's findings come from different tools.
    """
    tools_at: dict[str | None, set[str]] = {}
    for f in findings:
        path = f.location.path if f.location else None
        at = tools_at.get(path)
        if at is None:
            tools_at[path] = {f.tool}
        else:
            at.add(f.tool)
    alone = {path for path, at in tools_at.items() if len(at) == 1}
    groups: list[list[Finding]] = []
    tools: list[set[str]] = []
    index: dict[_Key, set[int]] = {}
    # groups under a key that a tool's finding with that key is in: that tool need not try them again
    having: dict[tuple[_Key, str], set[int]] = {}
    for f in findings:
        path = f.location.path if f.location else None
        if path in alone:
            groups.append([f])
            tools.append(set())  # (never tried: no finding of another tool has its path)
            continue
        keys = [(path, "cwe", c) for c in _families(f.cwe)] if f.cwe else []
        if f.category in INFRASTRUCTURE:
            keys += [(path, "topic", t) for t in _topics(f)]
        if f.aliases or _vulnerability_id(f.rule.id) is not None:
            keys = [(path, "id", i) for i in _ids(f)] + keys
        tool = f.tool
        candidates: set[int] = set()
        for k in keys:
            hits = index.get(k)
            if hits:
                tried = having.get((k, tool))
                if tried is None:
                    candidates |= hits
                elif len(tried) < len(hits):  # (equal: the tool is in every group under the key)
                    candidates |= hits - tried
        for gi in sorted(candidates):
            if tool not in tools[gi] and any(same_problem(f, g) for g in groups[gi]):
                groups[gi].append(f)
                tools[gi].add(tool)
                break
        else:
            gi = len(groups)
            groups.append([f])
            tools.append({tool})
        for k in keys:
            under = index.get(k)
            if under is None:
                index[k] = {gi}
            else:
                under.add(gi)
            seen = having.get((k, tool))
            if seen is None:
                having[(k, tool)] = {gi}
            else:
                seen.add(gi)
    return [_merge(g) for g in groups]


def _merge(group: list[Finding]) -> Finding:
    """The group's most severe finding, found by all of them. A group holding a secret scanner's finding
    is a secret: policies judge secrets by category (GUARD-GATE-002), and a merge must not hide one."""
    if len(group) == 1:
        return group[0]
    primary = max(group, key=lambda f: f.severity.rank)
    category = Category.SECRET if any(f.category is Category.SECRET for f in group) else primary.category
    found_by = tuple(dict.fromkeys(t for f in group for t in (f.found_by or (f.tool,))))
    cwe = tuple(dict.fromkeys(c for f in group for c in f.cwe))
    aliases = tuple(dict.fromkeys(a for f in group for a in f.aliases))
    merged = {f"{f.tool}:{f.rule_id}" for f in group if f is not primary}
    props = {**primary.properties, "merged": sorted(merged)}
    return evolve(primary, found_by=found_by, cwe=cwe, aliases=aliases, properties=props, category=category)
