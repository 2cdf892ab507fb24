"""RunResult -> SARIF 2.1.0 that GitHub code scanning accepts (built with sarif-om).

One run per scanner with its own `tool.driver.name` and `automationDetails.id` (`guard/<scanner>/`).
Every rule carries short/full descriptions, help text and markdown, tags (with control ids) and a
`security-severity` string. Paths are repo-relative under `%SRCROOT%`. guard's fingerprint is
under `partialFingerprints["guard/v1"]`. The copy for GitHub drops waived results (GitHub ignores
`suppressions`); the evidence copy keeps them as suppressions with their justification.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from guard import jsonenc
from guard.atomic import atomic_write
from guard.model import VALUE, Finding, RunResult, ScannerRun, Severity, Status, Waiver
from guard.sarif.fingerprint import SourceCache, line_hash

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RUNS = 20
MAX_RESULTS_PER_RUN = 25_000
MAX_TAGS = 20
_ALWAYS = frozenset({"version", "level"})
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
INFORMATION_URI = {
    "bandit": "https://bandit.readthedocs.io/",
    "semgrep": "https://semgrep.dev/",
    "checkov": "https://www.checkov.io/",
    "trivy": "https://trivy.dev/",
    "hadolint": "https://github.com/hadolint/hadolint",
    "zizmor": "https://docs.zizmor.sh/",
    "actionlint": "https://github.com/rhysd/actionlint",
    "osv": "https://osv.dev/",
}


def build(run: RunResult, root: Path, *, for_github: bool = True) -> om.SarifLog:
    """The SARIF log for a run. `for_github` drops waived and location-less results."""
    shared = _Shared(SourceCache(root))
    by_tool: dict[str, list[tuple[Finding, Waiver | None]]] = defaultdict(list)
    for f in run.findings:
        by_tool[f.tool].append((f, None))
    if not for_github:
        for f, w in run.waived:
            by_tool[f.tool].append((f, w))
    scanners = {s.scanner: s for s in run.scanners}
    names = sorted(set(by_tool) | {s.scanner for s in run.scanners if s.status is Status.OK})
    if len(names) > MAX_RUNS:
        raise ValueError(f"{len(names)} tools in one SARIF file; GitHub accepts at most {MAX_RUNS} runs")
    runs = [_run(name, scanners.get(name), by_tool.get(name, []), run, shared, for_github) for name in names]
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=runs)


def _run(name: str, scanner: ScannerRun | None, items: list[tuple[Finding, Waiver | None]], run: RunResult,
         shared: _Shared, for_github: bool) -> om.Run:
    if for_github:
        items = [(f, w) for f, w in items if f.location is not None]
    items = items[:MAX_RESULTS_PER_RUN]
    rules: dict[str, list[Finding]] = {}
    for f, _ in items:
        rules.setdefault(f.rule_id, []).append(f)
    rule_index = {rid: i for i, rid in enumerate(rules)}
    driver = om.ToolComponent(
        name=name,
        version=scanner.version if scanner and scanner.version else run.guard_version,
        information_uri=INFORMATION_URI.get(name, "https://github.com/guard-scanner/guard"),
        rules=[_rule(fs) for fs in rules.values()],
    )
    driver.properties = _bag(tags=None, **{"guard-version": run.guard_version})
    results = [_result(f, w, rule_index[f.rule.id], shared) for f, w in items]
    invocation = om.Invocation(execution_successful=scanner is None or scanner.status is not Status.ERROR)
    return om.Run(
        tool=om.Tool(driver=driver),
        results=results,
        invocations=[invocation],
        automation_details=om.RunAutomationDetails(id=f"guard/{name}/"),
        column_kind="unicodeCodePoints",
    )


def _bag(tags: list[str] | None = None, **extra: Any) -> om.PropertyBag:
    bag = om.PropertyBag(tags=tags)
    for key, value in extra.items():
        setattr(bag, key, value)
    return bag


def _rule(findings: list[Finding]) -> om.ReportingDescriptor:
    first = findings[0]
    rule = first.rule
    worst = max(findings, key=lambda f: f.severity.rank).severity
    tags = ["security", *(c.lower().replace("cwe-", "external/cwe/cwe-") for c in rule.cwe or first.cwe)]
    mappings = {id(f.controls): f.controls for f in findings}  # findings of a rule mostly share one
    controls = {f"{fw}:{cid}" for mapped in mappings.values() for fw, ids in mapped.items() for cid in ids}
    tags += sorted(controls)
    tags += [t for t in rule.tags if t not in tags]
    help_md = rule.help_markdown or _help_markdown(first)
    return om.ReportingDescriptor(
        id=rule.id,
        name=_pascal(rule.name or rule.id),
        short_description=om.MultiformatMessageString(text=rule.short_description or rule.id),
        full_description=om.MultiformatMessageString(text=rule.full_description or rule.short_description or rule.id),
        help=om.MultiformatMessageString(text=rule.help_text or rule.full_description or rule.id, markdown=help_md),
        help_uri=rule.help_uri,
        default_configuration=om.ReportingConfiguration(level=_LEVEL[worst]),
        properties=_bag(tags=list(dict.fromkeys(tags))[:MAX_TAGS], **{
            "security-severity": _score(findings, worst),
            "precision": "high",
            "problem.severity": "error" if worst.rank >= Severity.HIGH.rank else "warning",
        }),
    )


def _score(findings: list[Finding], worst: Severity) -> str:
    """The exact score a tool or advisory gave (e.g. CVSS), else the severity band's score."""
    scores = []
    for f in findings:
        if "security-severity" not in f.properties:
            continue
        try:
            scores.append(float(f.properties["security-severity"]))
        except (TypeError, ValueError):
            continue
    best = max((s for s in scores if 0.0 < s <= 10.0), default=None)
    return f"{best:.1f}" if best is not None and Severity.from_score(best) is worst else worst.security_severity


def _pascal(text: str) -> str:
    parts = [p for p in "".join(c if c.isalnum() else " " for c in text).split() if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Rule"


def _help_markdown(f: Finding) -> str:
    rule = f.rule
    lines = [f"**{rule.short_description}**", "", rule.help_text or rule.full_description]
    if f.cwe:
        lines += ["", "Weaknesses: " + ", ".join(f.cwe)]
    if rule.help_uri:
        lines += ["", f"[More information]({rule.help_uri})"]
    return "\n".join(lines)


class _Shared:
    """JSON parts many results of a log have in common, built once and shared: a file's artifact
    location, a control mapping, a line's hash."""

    def __init__(self, sources: SourceCache) -> None:
        self.sources = sources
        self.artifacts: dict[str, dict[str, str]] = {}
        self.control_lists = jsonenc.SharedLists()
        self.line_hashes: dict[tuple[str, int], str] = {}

    def artifact(self, path: str) -> dict[str, str]:
        found = self.artifacts.get(path)
        if found is None:
            found = self.artifacts[path] = {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}
        return found

    def line_hash(self, path: str, line: int) -> str:
        found = self.line_hashes.get((path, line))
        if found is None:
            found = self.line_hashes[(path, line)] = line_hash(self.sources.snippet(path, line, line))
        return found


def _result(f: Finding, waiver: Waiver | None, index: int, shared: _Shared) -> dict[str, Any]:
    """One SARIF result, built as JSON directly: runs can hold tens of thousands of them."""
    fingerprints = {"guard/v1": f.fingerprint}
    result: dict[str, Any] = {"ruleId": f.rule.id, "ruleIndex": index, "level": _LEVEL[f.severity],
                              "message": {"text": f.message or f.rule.short_description}}
    loc = f.location
    if loc is not None:
        start = loc.start_line or 1  # GitHub requires a region; a file-level finding points at line 1
        region = {"startLine": start, "endLine": loc.end_line or start}
        if loc.start_column:
            region["startColumn"] = loc.start_column
        if loc.end_column:
            region["endColumn"] = loc.end_column
        fingerprints["primaryLocationLineHash"] = shared.line_hash(loc.path, start)
        result["locations"] = [{"physicalLocation": {"artifactLocation": shared.artifact(loc.path), "region": region}}]
    result["partialFingerprints"] = fingerprints
    props: dict[str, Any] = {"severity": VALUE[f.severity], "category": VALUE[f.category],
                             "found_by": list(f.found_by or (f.tool,))}
    if f.resource:
        props["resource"] = f.resource
    if f.aliases:
        props["aliases"] = list(f.aliases)
    if f.controls:
        props["controls"] = shared.control_lists(f.controls)
    result["properties"] = props
    if waiver is not None:
        result["suppressions"] = [{"kind": "external" if waiver.source != "inline" else "inSource",
                                   "status": "accepted", "justification": waiver.reason}]
    return result


@lru_cache(maxsize=65536)
def _uri(path: str) -> str:
    """A repository path as a relative URI (many results share a file)."""
    return quote(path, safe="/")


def to_dict(obj: Any) -> Any:
    """sarif-om objects as SARIF JSON (schema property names, defaults and Nones omitted)."""
    if isinstance(obj, list):
        return [v if type(v) is dict else to_dict(v) for v in obj]  # results are plain JSON already
    if isinstance(obj, dict):
        return obj  # plain JSON already (results, fingerprints)
    fields = _fields(type(obj))
    if fields is None:
        return obj
    out: dict[str, Any] = {}
    for attr_name, name, default in fields:
        value = getattr(obj, attr_name)
        if value is None or (default is not _NO_DEFAULT and value == default and name not in _ALWAYS):
            continue
        out[name] = to_dict(value)
    if isinstance(obj, om.PropertyBag):
        names = {f[0] for f in fields}
        out.update({k: to_dict(v) for k, v in vars(obj).items() if k not in names and v is not None})
    return out


_NO_DEFAULT = object()


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[tuple[str, str, Any], ...] | None:
    """(attribute, SARIF property name, default) for an attrs class; None for plain values."""
    if not attr.has(cls):
        return None
    out = []
    for field in attr.fields(cls):
        name = field.metadata.get("schema_property_name", field.name)
        default = _NO_DEFAULT if field.default is attr.NOTHING or isinstance(field.default, attr.Factory) else field.default
        out.append((field.name, name, default))
    return tuple(out)


def dumps(log: om.SarifLog) -> bytes:
    """The log as compact UTF-8 JSON (files with tens of thousands of results)."""
    return jsonenc.dumps(to_dict(log))


def write(path: Path, run: RunResult, root: Path, *, for_github: bool = True) -> None:
    """Write the SARIF file atomically (temp file beside it, then rename)."""
    atomic_write(path, dumps(build(run, root, for_github=for_github)))
