"""The findings table and run summary printed to the terminal (rich).

Every text from a run (messages, paths, rule ids, reasons) is a `Text`, never rich markup: a
message's `list[str]` or a Next.js route's `[id]` is shown as it is, and a `[/x]` in one cannot
stop the report; its control characters are written out (`printable`).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from guard.model import RunResult, Severity, Status
from guard.report import cache_note
from guard.report.printable import printable

_STYLE = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow",
          Severity.LOW: "cyan", Severity.INFO: "dim"}
MAX_ROWS = 200


def render(run: RunResult, console: Console) -> None:
    findings = sorted(run.findings, key=lambda f: (-f.severity.rank, f.path or "", f.location.start_line or 0 if f.location else 0))
    if findings:
        table = Table(title=f"{len(findings)} finding(s)", show_lines=False, expand=False)
        for col in ("severity", "rule", "location", "message", "found by"):
            table.add_column(col, overflow="fold")
        for f in findings[:MAX_ROWS]:
            table.add_row(Text(f.severity.value, _STYLE[f.severity]), cell(f"{f.tool}:{f.rule_id}"),
                          cell(str(f.location) if f.location else (f.resource or "-")), cell(f.message[:160]),
                          cell(",".join(f.found_by or (f.tool,))))
        console.print(table)
        if len(findings) > MAX_ROWS:
            console.print(f"... and {len(findings) - MAX_ROWS} more (see findings.json)")
    else:
        console.print("No findings.")
    scanners = Table(title="scanners")
    for col in ("scanner", "version", "status", "files", "findings", "seconds"):
        scanners.add_column(col)
    for s in run.scanners:
        status = {Status.OK: ("ok", "green"), Status.SKIPPED: (printable(f"skipped: {s.reason}"), "dim"),
                  Status.ERROR: (printable(f"error: {s.reason}"), "bold red")}[s.status]
        scanners.add_row(cell(s.scanner), cell(s.version or "-"), Text.assemble(status, cache_note(s)),
                         str(s.files_scanned), str(len(s.findings)), f"{s.seconds:.1f}")
    console.print(scanners)
    if run.waived:
        console.print(f"{len(run.waived)} finding(s) waived (listed in findings.json)")
    gate = run.gate
    if gate is not None:
        if gate.passed:
            console.print(Text.assemble(("PASSED", "green"), f" (fail-on {gate.fail_on.value})"))
        else:
            console.print(Text.assemble(("FAILED", "bold red"), printable(": " + "; ".join(gate.reasons))))


def cell(value: str) -> Text:
    """A table cell showing `value` as it is (no markup, control characters written out)."""
    return Text(printable(value))
