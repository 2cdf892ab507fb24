"""The findings table and run summary printed to the terminal (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from guard.model import RunResult, Severity, Status
from guard.report import cache_note

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
            table.add_row(f"[{_STYLE[f.severity]}]{f.severity.value}[/]", f"{f.tool}:{f.rule_id}",
                          str(f.location) if f.location else (f.resource or "-"), f.message[:160],
                          ",".join(f.found_by or (f.tool,)))
        console.print(table)
        if len(findings) > MAX_ROWS:
            console.print(f"... and {len(findings) - MAX_ROWS} more (see findings.json)")
    else:
        console.print("No findings.")
    scanners = Table(title="scanners")
    for col in ("scanner", "version", "status", "files", "findings", "seconds"):
        scanners.add_column(col)
    for s in run.scanners:
        status = {Status.OK: "[green]ok[/]", Status.SKIPPED: f"[dim]skipped: {s.reason}[/]",
                  Status.ERROR: f"[bold red]error: {s.reason}[/]"}[s.status]
        scanners.add_row(s.scanner, s.version or "-", status + cache_note(s),
                         str(s.files_scanned), str(len(s.findings)), f"{s.seconds:.1f}")
    console.print(scanners)
    if run.waived:
        console.print(f"{len(run.waived)} finding(s) waived (listed in findings.json)")
    gate = run.gate
    if gate is not None:
        if gate.passed:
            console.print(f"[green]PASSED[/] (fail-on {gate.fail_on.value})")
        else:
            console.print("[bold red]FAILED[/]: " + "; ".join(gate.reasons))
