"""Control results, framework catalogs and coverage as table, JSON, CSV and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from guard import csvtext
from guard.compliance.coverage import FrameworkCoverage
from guard.compliance.frameworks import Framework
from guard.model import ControlResult, ControlStatus
from guard.report.markdown import escape
from guard.report.printable import printable
from guard.report.terminal import cell

STATUS_ORDER = (ControlStatus.FAILED, ControlStatus.PASSED, ControlStatus.MANUAL, ControlStatus.NOT_ASSESSED)
_STYLE = {ControlStatus.FAILED: "bold red", ControlStatus.PASSED: "green", ControlStatus.MANUAL: "cyan",
          ControlStatus.NOT_ASSESSED: "yellow"}


def result_to_dict(r: ControlResult) -> dict[str, Any]:
    return {"framework": r.framework, "control_id": r.control_id, "title": r.title, "status": r.status.value,
            "checks": list(r.checks), "failing": list(r.failing), "waived": list(r.waived), "note": r.note}


def summary(results: Sequence[ControlResult]) -> dict[str, dict[str, int]]:
    """framework -> {status: count, total}."""
    out: dict[str, dict[str, int]] = {}
    for fid in dict.fromkeys(r.framework for r in results):
        counts = Counter(r.status for r in results if r.framework == fid)
        out[fid] = {s.value: counts.get(s, 0) for s in STATUS_ORDER} | {"total": sum(counts.values())}
    return out


def controls_json(results: Sequence[ControlResult], source: str = "") -> str:
    doc = {"source": source, "summary": summary(results), "controls": [result_to_dict(r) for r in results]}
    return json.dumps(doc, indent=2) + "\n"


def controls_csv(results: Sequence[ControlResult]) -> str:
    return csvtext.dumps(["framework", "control_id", "title", "status", "checks", "failing", "waived", "note"],
                         [[r.framework, r.control_id, r.title, r.status.value, " ".join(r.checks), " ".join(r.failing),
                           " ".join(r.waived), r.note] for r in results])


def _md(text: str) -> str:
    return escape(text, limit=None)


def controls_markdown(results: Sequence[ControlResult], frameworks: Sequence[Framework]) -> str:
    names = {f.id: f"{f.name} {f.version}" for f in frameworks}
    lines: list[str] = []
    for fid, counts in summary(results).items():
        lines += [f"### {_md(names.get(fid, fid))}", "",
                  " · ".join(f"{counts[s.value]} {s.value}" for s in STATUS_ORDER) + f" (of {counts['total']})", "",
                  "| control | title | status | checks | failing findings | note |", "|---|---|---|---|---|---|"]
        for r in results:
            if r.framework == fid:
                lines.append(f"| {_md(r.control_id)} | {_md(r.title)} | {r.status.value} | {_md(', '.join(r.checks))} "
                             f"| {len(r.failing)} | {_md(r.note)} |")
        lines.append("")
    return "\n".join(lines)


def controls_table(results: Sequence[ControlResult], frameworks: Sequence[Framework], console: Console) -> None:
    names = {f.id: f"{f.name} {f.version}" for f in frameworks}
    for fid, counts in summary(results).items():
        title = f"{names.get(fid, fid)}: " + ", ".join(f"{counts[s.value]} {s.value}" for s in STATUS_ORDER)
        table = Table(title=Text(printable(title), "table.title"), title_justify="left", show_lines=False)
        for col in ("control", "title", "status", "checks", "failing", "note"):
            table.add_column(col, overflow="fold")
        for r in results:
            if r.framework != fid:
                continue
            checks = ", ".join(r.checks[:3]) + (f" (+{len(r.checks) - 3})" if len(r.checks) > 3 else "")
            table.add_row(cell(r.control_id), cell(r.title), Text(r.status.value, _STYLE[r.status]), cell(checks),
                          str(len(r.failing)) if r.failing else "", cell(r.note))
        console.print(table)


def frameworks_table(frameworks: Sequence[Framework], console: Console) -> None:
    table = Table(title="Frameworks", title_justify="left")
    for col in ("id", "name", "version", "controls", "catalog"):
        table.add_column(col, overflow="fold")
    for f in frameworks:
        table.add_row(cell(f.id), cell(f.name), cell(f.version), str(len(f.controls)),
                      cell("built-in" if f.builtin else f.path))
    console.print(table)


def framework_json(framework: Framework, covered: dict[str, tuple[str, ...]]) -> str:
    doc = {"id": framework.id, "name": framework.name, "version": framework.version,
           "description": framework.description, "catalog": framework.path, "sources": list(framework.sources),
           "groups": [{"id": g.id, "title": g.title} for g in framework.groups],
           "controls": [{"id": c.id, "title": c.title, "group": c.group, "parent": c.parent,
                         "automated_checks": list(covered.get(c.id, ()))} for c in framework.controls]}
    return json.dumps(doc, indent=2) + "\n"


def framework_table(framework: Framework, covered: dict[str, tuple[str, ...]], console: Console) -> None:
    table = Table(title=Text(printable(f"{framework.name} {framework.version} ({framework.id}): "
                                       f"{len(framework.controls)} controls, {len(covered)} with automated checks"),
                             "table.title"), title_justify="left")
    for col in ("control", "title", "group", "automated checks"):
        table.add_column(col, overflow="fold")
    for c in framework.controls:
        checks = covered.get(c.id, ())
        shown = ", ".join(checks[:3]) + (f" (+{len(checks) - 3})" if len(checks) > 3 else "")
        table.add_row(cell(c.id), cell(c.title), cell(c.group or ""), cell(shown))
    console.print(table)


def coverage_json(results: Sequence[FrameworkCoverage]) -> str:
    return json.dumps({"frameworks": [r.to_dict() for r in results]}, indent=2) + "\n"


def coverage_table(results: Sequence[FrameworkCoverage], console: Console) -> None:
    table = Table(title="Controls with at least one automated check", title_justify="left")
    for col in ("framework", "controls", "automated", "%", "top-level reached", "by tool (controls reached)"):
        table.add_column(col, overflow="fold")
    for r in results:
        table.add_row(cell(r.framework), str(r.total), str(r.automated), f"{r.percent:.1f}",
                      f"{r.top_level_reached}/{r.top_level}",
                      cell(", ".join(f"{t} {n}" for t, n in r.by_tool.items())))
    console.print(table)
