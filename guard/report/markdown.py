"""summary.md: the short Markdown a reviewer reads in the job summary or PR comment."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from typing import Sequence
from urllib.parse import quote

from guard.model import ControlStatus, Finding, RunResult, Severity, Status
from guard.report import cache_note
from guard.report.printable import printable

TOP_FINDINGS = 15
MARKER = "<!-- guard-summary -->"
TEXT_MAX = 300
_PUNCTUATION = re.compile(r"([\\`*_\[\]()!~|])")  # what makes emphasis, code, links, images, tables
_BACKTICKS = re.compile(r"`+")


def escape(text: str, limit: int | None = TEXT_MAX) -> str:
    """`text` as it is, in a Markdown line or table cell (a run's messages, paths and reasons come from the
    scanned files): no link, image, HTML, emphasis or table column made of it, no one @-mentioned by it
    (a zero-width space after `@`, as GitHub's own bots write it), no control character (`printable`); cut
    at `limit` characters."""
    text = _one_line(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PUNCTUATION.sub(r"\\\1", text).replace("@", "@\u200b")


def code(text: str, *, cell: bool = False) -> str:
    """`text` as inline code, whatever backticks it holds (in a table `cell`, pipes too)."""
    text = _one_line(text, TEXT_MAX)
    if cell:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _one_line(text: str, limit: int | None) -> str:
    """`text` cut at `limit` characters, its line breaks as spaces, its control characters written out."""
    return printable(text[:limit].replace("\r", " ").replace("\n", " "))


def render(run: RunResult, *, link_base: str | None = None) -> str:
    """Markdown summary; `link_base` (e.g. https://github.com/o/r/blob/SHA) makes file:line links."""
    gate = run.gate
    verdict = "passed" if gate and gate.passed else "failed"
    icon = "✅" if verdict == "passed" else "❌"
    lines = [MARKER, f"## {icon} guard: {verdict}", ""]
    if gate and gate.reasons:
        lines += [f"- {escape(r)}" for r in gate.reasons] + [""]
    review = run.properties.get("needs_review") or []
    if review:
        lines += ["**Needs review**: these files decide how changes are judged; this run used the base "
                  "commit's version of them.", ""] + [f"- {code(str(p))}" for p in review] + [""]
    problems = run.properties.get("waiver_problems") or []
    if problems:
        lines += ["**Waivers not applied:**", ""] + [f"- {escape(str(p))}" for p in problems] + [""]
    new = [f for f in run.findings if not f.properties.get("existing")]
    existing = [f for f in run.findings if f.properties.get("existing")]
    lines += _severity_table(new, existing)
    lines += _scanner_table(run)
    lines += _controls(run)
    lines += _top(new or run.findings, link_base)
    if run.waived:
        lines += ["", f"<details><summary>{len(run.waived)} waived finding(s)</summary>", ""]
        lines += [f"- {code(f.rule_id)} {escape(str(f.location or f.resource or ''))}: {escape(w.reason)} "
                  f"(owner {escape(w.owner)}, expires {escape(str(w.expires or 'n/a'))})" for f, w in run.waived[:50]]
        lines += ["", "</details>"]
    expiring = run.properties.get("waivers_expiring") or []
    if expiring:
        lines += ["", "### Waivers expiring within 30 days", ""]
        lines += [f"- {escape(str(w))}" for w in expiring]
    return "\n".join(lines) + "\n"


def _severity_table(new: Sequence[Finding], existing: Sequence[Finding]) -> list[str]:
    cn, ce = Counter(f.severity for f in new), Counter(f.severity for f in existing)
    rows = ["| severity | new | existing |", "|---|---:|---:|"]
    rows += [f"| {s.value} | {cn[s]} | {ce[s]} |" for s in Severity]
    return rows + [""]


def _scanner_table(run: RunResult) -> list[str]:
    rows = ["| scanner | version | status | files | findings | time |", "|---|---|---|---:|---:|---:|"]
    for s in run.scanners:
        status = s.status.value if s.status is not Status.ERROR else f"**error**: {escape(s.reason)}"
        if s.status is Status.SKIPPED:
            status = f"skipped ({escape(s.reason)})"
        rows.append(f"| {escape(s.scanner)} | {escape(s.version or '-')} | {status} | {s.files_scanned} | "
                    f"{len(s.findings)} | {s.seconds:.1f}s{cache_note(s)} |")
    return rows + [""]


def _controls(run: RunResult) -> list[str]:
    if not run.controls:
        return []
    out = ["### Controls", "", "| framework | failed | passed | not assessed | manual |", "|---|---:|---:|---:|---:|"]
    frameworks = sorted({c.framework for c in run.controls})
    failed_ids: list[str] = []
    for fw in frameworks:
        c = Counter(r.status for r in run.controls if r.framework == fw)
        out.append(f"| {escape(fw)} | {c[ControlStatus.FAILED]} | {c[ControlStatus.PASSED]} | "
                   f"{c[ControlStatus.NOT_ASSESSED]} | {c[ControlStatus.MANUAL]} |")
        failed_ids += [f"{fw}:{r.control_id}" for r in run.controls if r.framework == fw and r.status is ControlStatus.FAILED]
    out.append("")
    if failed_ids:
        out += ["Failed: " + ", ".join(code(i) for i in failed_ids[:40]) + (" …" if len(failed_ids) > 40 else ""), ""]
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
            where = f"[{escape(where)}]({link_base.rstrip('/')}/{quote(f.location.path)}{anchor})"
        else:
            where = escape(where)
        out.append(f"| {f.severity.value} | {code(f.rule_id, cell=True)} {escape(f.title)} | {where} | "
                   f"{escape(', '.join(f.found_by or (f.tool,)))} |")
    return out
