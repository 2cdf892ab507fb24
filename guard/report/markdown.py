"""summary.md: the short Markdown a reviewer reads in the job summary or PR comment."""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Sequence

from guard.model import ControlStatus, Finding, RunResult, Severity, Status
from guard.report import cache_note

TOP_FINDINGS = 15
MARKER = "<!-- guard-summary -->"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")[:300]


def render(run: RunResult, *, link_base: str | None = None) -> str:
    """Markdown summary; `link_base` (e.g. https://github.com/o/r/blob/SHA) makes file:line links."""
    gate = run.gate
    verdict = "passed" if gate and gate.passed else "failed"
    icon = "✅" if verdict == "passed" else "❌"
    lines = [MARKER, f"## {icon} guard: {verdict}", ""]
    if gate and gate.reasons:
        lines += [f"- {_escape(r)}" for r in gate.reasons] + [""]
    review = run.properties.get("needs_review") or []
    if review:
        lines += ["**Needs review**: these files decide how changes are judged; this run used the base "
                  "commit's version of them.", ""] + [f"- `{_escape(str(p))}`" for p in review] + [""]
    problems = run.properties.get("waiver_problems") or []
    if problems:
        lines += ["**Waivers not applied:**", ""] + [f"- {_escape(str(p))}" for p in problems] + [""]
    new = [f for f in run.findings if not f.properties.get("existing")]
    existing = [f for f in run.findings if f.properties.get("existing")]
    lines += _severity_table(new, existing)
    lines += _scanner_table(run)
    lines += _controls(run)
    lines += _top(new or run.findings, link_base)
    if run.waived:
        lines += ["", f"<details><summary>{len(run.waived)} waived finding(s)</summary>", ""]
        lines += [f"- `{f.rule_id}` {_escape(str(f.location or f.resource or ''))}: {_escape(w.reason)} "
                  f"(owner {w.owner}, expires {w.expires or 'n/a'})" for f, w in run.waived[:50]]
        lines += ["", "</details>"]
    expiring = run.properties.get("waivers_expiring") or []
    if expiring:
        lines += ["", "### Waivers expiring within 30 days", ""]
        lines += [f"- {_escape(str(w))}" for w in expiring]
    return "\n".join(lines) + "\n"


def _severity_table(new: Sequence[Finding], existing: Sequence[Finding]) -> list[str]:
    cn, ce = Counter(f.severity for f in new), Counter(f.severity for f in existing)
    rows = ["| severity | new | existing |", "|---|---:|---:|"]
    rows += [f"| {s.value} | {cn[s]} | {ce[s]} |" for s in Severity]
    return rows + [""]


def _scanner_table(run: RunResult) -> list[str]:
    rows = ["| scanner | version | status | files | findings | time |", "|---|---|---|---:|---:|---:|"]
    for s in run.scanners:
        status = s.status.value if s.status is not Status.ERROR else f"**error**: {_escape(s.reason)}"
        if s.status is Status.SKIPPED:
            status = f"skipped ({_escape(s.reason)})"
        rows.append(f"| {s.scanner} | {s.version or '-'} | {status} | {s.files_scanned} | {len(s.findings)} | "
                    f"{s.seconds:.1f}s{cache_note(s)} |")
    return rows + [""]


def _controls(run: RunResult) -> list[str]:
    if not run.controls:
        return []
    out = ["### Controls", "", "| framework | failed | passed | not assessed | manual |", "|---|---:|---:|---:|---:|"]
    frameworks = sorted({c.framework for c in run.controls})
    failed_ids: list[str] = []
    for fw in frameworks:
        c = Counter(r.status for r in run.controls if r.framework == fw)
        out.append(f"| {fw} | {c[ControlStatus.FAILED]} | {c[ControlStatus.PASSED]} | "
                   f"{c[ControlStatus.NOT_ASSESSED]} | {c[ControlStatus.MANUAL]} |")
        failed_ids += [f"{fw}:{r.control_id}" for r in run.controls if r.framework == fw and r.status is ControlStatus.FAILED]
    out.append("")
    if failed_ids:
        out += ["Failed: " + ", ".join(f"`{i}`" for i in failed_ids[:40]) + (" …" if len(failed_ids) > 40 else ""), ""]
    return out


def _top(findings: Sequence[Finding], link_base: str | None) -> list[str]:
    if not findings:
        return ["No findings."]
    ranked = heapq.nsmallest(TOP_FINDINGS, findings, key=lambda f: (
        -f.severity.rank, f.path or "", f.location.start_line or 0 if f.location else 0))
    out = [f"### Top findings ({len(ranked)} of {len(findings)})", "",
           "| severity | rule | where | found by |", "|---|---|---|---|"]
    for f in ranked:
        where = str(f.location) if f.location else (f.resource or "-")
        if link_base and f.location:
            anchor = f"#L{f.location.start_line}" if f.location.start_line else ""
            where = f"[{_escape(where)}]({link_base.rstrip('/')}/{f.location.path}{anchor})"
        else:
            where = _escape(where)
        out.append(f"| {f.severity.value} | `{_escape(f.rule_id)}` {_escape(f.title)} | {where} | "
                   f"{', '.join(f.found_by or (f.tool,))} |")
    return out
