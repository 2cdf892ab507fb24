"""findings.json: the whole RunResult as JSON, and back (later stages can re-run from it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from guard import jsonenc
from guard.atomic import atomic_write
from guard.model import (
    VALUE, Category, ControlResult, ControlStatus, Finding, Gate, Location, Rule, RunResult, ScannerRun, Severity,
    Status, Waiver,
)

if TYPE_CHECKING:
    from guard.policy.base import Violation

FORMAT_VERSION = 2  # 2: rules listed once in `rules`, each finding names its rule by index; 1: rule in each finding


class FindingsFileError(Exception):
    """findings.json cannot be read; the message names the file."""


def rule_to_dict(r: Rule) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "short_description": r.short_description,
            "full_description": r.full_description, "help_text": r.help_text, "help_uri": r.help_uri,
            "help_markdown": r.help_markdown, "tags": list(r.tags), "cwe": list(r.cwe),
            "controls": {k: list(v) for k, v in r.controls.items()}}


class RuleTable:
    """The distinct rules of a run in first-use order (many findings share one rule)."""

    def __init__(self) -> None:
        self.rules: list[dict[str, Any]] = []
        self._by_content: dict[str, int] = {}
        self._by_object: dict[int, tuple[Rule, int]] = {}  # keeps the rule alive, so its id stays unique

    def index(self, rule: Rule) -> int:
        known = self._by_object.get(id(rule))
        if known is None:
            doc = rule_to_dict(rule)
            content = json.dumps(doc, sort_keys=True, default=str)
            if content not in self._by_content:
                self._by_content[content] = len(self.rules)
                self.rules.append(doc)
            known = self._by_object[id(rule)] = (rule, self._by_content[content])
        return known[1]


def finding_to_dict(f: Finding, rules: RuleTable | None = None,
                    controls: jsonenc.SharedLists | None = None) -> dict[str, Any]:
    """A finding as JSON; with `rules`, its rule as an index into that table, else embedded.

    `controls` makes the JSON of each control mapping once (findings of a rule share one).
    """
    loc = f.location
    mapped_json = (controls or jsonenc.SharedLists())(f.controls)
    return {
        "fingerprint": f.fingerprint, "tool": f.tool, "rule_id": f.rule.id, "title": f.rule.short_description,
        "severity": VALUE[f.severity], "severity_source": f.severity_source, "category": VALUE[f.category],
        "message": f.message,
        "location": None if loc is None else {
            "path": loc.path, "start_line": loc.start_line, "end_line": loc.end_line,
            "start_column": loc.start_column, "end_column": loc.end_column},
        "resource": f.resource, "cwe": list(f.cwe), "aliases": list(f.aliases), "tags": list(f.tags),
        "found_by": list(f.found_by), "controls": mapped_json,
        "properties": dict(f.properties), "rule": rules.index(f.rule) if rules is not None else rule_to_dict(f.rule),
    }


def _waiver(w: Waiver) -> dict[str, Any]:
    return {"reason": w.reason, "owner": w.owner, "expires": w.expires, "source": w.source,
            "rule_id": w.rule_id, "fingerprint": w.fingerprint, "paths": list(w.paths)}


def _scanner(s: ScannerRun) -> dict[str, Any]:
    return {"scanner": s.scanner, "category": s.category.value, "status": s.status.value, "version": s.version,
            "reason": s.reason, "findings": len(s.findings), "files_scanned": s.files_scanned,
            "seconds": round(s.seconds, 3), "cached": s.cached, "files_cached": s.files_cached,
            "raw_outputs": [Path(p).name for p in s.raw_outputs], "checks": [rule_to_dict(r) for r in s.checks]}


def control_to_dict(c: ControlResult) -> dict[str, Any]:
    return {"framework": c.framework, "control_id": c.control_id, "title": c.title, "status": c.status.value,
            "checks": list(c.checks), "failing": list(c.failing), "waived": list(c.waived), "note": c.note}


def to_dict(run: RunResult) -> dict[str, Any]:
    gate = run.gate
    rules, controls = RuleTable(), jsonenc.SharedLists()
    findings = [finding_to_dict(f, rules, controls) for f in run.findings]
    waived = [{"finding": finding_to_dict(f, rules, controls), "waiver": _waiver(w)} for f, w in run.waived]
    return {
        "format": "guard-findings", "format_version": FORMAT_VERSION,
        "guard_version": run.guard_version, "target": run.target, "commit": run.commit, "branch": run.branch,
        "started": run.started, "finished": run.finished,
        "gate": None if gate is None else {"passed": gate.passed, "fail_on": gate.fail_on.value,
                                           "blocking": list(gate.blocking), "reasons": list(gate.reasons)},
        "scanners": [_scanner(s) for s in run.scanners],
        "rules": rules.rules,
        "findings": findings,
        "waived": waived,
        "controls": [control_to_dict(c) for c in run.controls],
        "properties": dict(run.properties),
    }


def dump(path: Path, run: RunResult) -> None:
    # compact (use jq to read): the file holds every finding of the run
    atomic_write(path, jsonenc.dumps(to_dict(run)))


def dump_controls(path: Path, run: RunResult) -> None:
    """controls.json: each control's status with the checks and findings behind it (compact, like findings.json)."""
    atomic_write(path, jsonenc.dumps([control_to_dict(c) for c in run.controls]))


# --- reading -------------------------------------------------------------------------------


def rule_from_dict(d: Mapping[str, Any]) -> Rule:
    return Rule(id=d["id"], name=d.get("name") or d["id"], short_description=d.get("short_description") or d["id"],
                full_description=d.get("full_description") or "", help_text=d.get("help_text") or "",
                help_uri=d.get("help_uri"), help_markdown=d.get("help_markdown"), tags=tuple(d.get("tags") or ()),
                cwe=tuple(d.get("cwe") or ()), controls={k: tuple(v) for k, v in (d.get("controls") or {}).items()})


def finding_from_dict(d: Mapping[str, Any], rules: Sequence[Rule] = ()) -> Finding:
    """A finding from JSON; its rule embedded, or an index into `rules` (format 2)."""
    loc = d.get("location")
    ref = d["rule"]
    if type(ref) is int:
        if not 0 <= ref < len(rules):
            raise ValueError(f"finding names rule {ref}, but the file lists {len(rules)} rule(s)")
        rule = rules[ref]
    else:
        rule = rule_from_dict(ref)
    return Finding(
        tool=d["tool"], rule=rule, message=d.get("message") or "",
        severity=Severity.parse(d["severity"]), category=Category(d["category"]),
        location=None if not loc else Location(path=loc["path"], start_line=loc.get("start_line"),
                                               end_line=loc.get("end_line"), start_column=loc.get("start_column"),
                                               end_column=loc.get("end_column")),
        resource=d.get("resource"), cwe=tuple(d.get("cwe") or ()), aliases=tuple(d.get("aliases") or ()),
        tags=tuple(d.get("tags") or ()), fingerprint=d.get("fingerprint") or "",
        found_by=tuple(d.get("found_by") or ()), severity_source=d.get("severity_source") or "tool",
        controls={k: tuple(v) for k, v in (d.get("controls") or {}).items()},
        properties=dict(d.get("properties") or {}),
    )


def from_dict(doc: Mapping[str, Any]) -> RunResult:
    gate = doc.get("gate")
    rules = [rule_from_dict(r) for r in doc.get("rules") or ()]
    return RunResult(
        target=doc["target"], started=doc["started"], finished=doc["finished"], guard_version=doc["guard_version"],
        commit=doc.get("commit"), branch=doc.get("branch"),
        scanners=tuple(
            ScannerRun(scanner=s["scanner"], category=Category(s["category"]), status=Status(s["status"]),
                       version=s.get("version"), reason=s.get("reason") or "", files_scanned=s.get("files_scanned", 0),
                       seconds=s.get("seconds", 0.0), cached=s.get("cached", False),
                       files_cached=s.get("files_cached", 0),
                       raw_outputs=tuple(s.get("raw_outputs") or ()),
                       checks=tuple(rule_from_dict(r) for r in s.get("checks") or ()))
            for s in doc.get("scanners") or ()),
        findings=tuple(finding_from_dict(f, rules) for f in doc.get("findings") or ()),
        waived=tuple((finding_from_dict(w["finding"], rules), Waiver(**{**w["waiver"], "paths": tuple(w["waiver"].get("paths") or ())}))
                     for w in doc.get("waived") or ()),
        controls=tuple(ControlResult(framework=c["framework"], control_id=c["control_id"], title=c["title"],
                                     status=ControlStatus(c["status"]), checks=tuple(c.get("checks") or ()),
                                     failing=tuple(c.get("failing") or ()), waived=tuple(c.get("waived") or ()),
                                     note=c.get("note") or "")
                       for c in doc.get("controls") or ()),
        gate=None if not gate else Gate(passed=gate["passed"], fail_on=Severity.parse(gate["fail_on"]),
                                        blocking=tuple(gate.get("blocking") or ()), reasons=tuple(gate.get("reasons") or ())),
        properties=dict(doc.get("properties") or {}),
    )


def load_run(path: Path) -> RunResult:
    """Read a findings.json written by guard; errors name the file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FindingsFileError(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FindingsFileError(f"{path}: not valid JSON: {exc}") from None
    except RecursionError:
        raise FindingsFileError(f"{path}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("format") != "guard-findings":
        raise FindingsFileError(f"{path}: not a guard findings.json (missing format: guard-findings)")
    try:
        return from_dict(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise FindingsFileError(f"{path}: malformed findings.json ({type(exc).__name__}: {exc})") from None


def violations_of(run: RunResult, source: str) -> list["Violation"]:
    """The finding-policy violations a saved run records (`properties.violations`); `source` names
    the file in errors."""
    from guard.policy.base import Violation

    out = []
    for i, v in enumerate(run.properties.get("violations") or []):
        try:
            controls = {str(k): tuple(str(c) for c in ids) for k, ids in (v.get("controls") or {}).items()}
            out.append(Violation(policy=str(v["policy"]), severity=Severity.parse(str(v["severity"])),
                                 message=str(v.get("message") or ""), fingerprint=v.get("fingerprint"),
                                 controls=controls, source=str(v.get("source") or "")))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FindingsFileError(f"{source}: malformed violation {i} in properties.violations: {exc}") from None
    return out
