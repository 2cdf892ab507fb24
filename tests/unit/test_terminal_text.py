"""The terminal tables show a run's texts as they are: square brackets in a message, a path or a reason
are not rich markup (a `[id]` route vanished, `list[str]` lost `[str]`, a `[/x]` stopped the report)."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from guard.compliance import render
from guard.compliance.frameworks import frameworks_for_config
from guard.model import (Category, ControlResult, ControlStatus, Finding, Gate, Location, Rule, RunResult,
                         ScannerRun, Severity, Status)
from guard.report import terminal

BRACKETS = "uses list[str] and [bold]x[/bold] then [/x] and [red]"


def printed(draw) -> str:
    console = Console(file=io.StringIO(), width=400, color_system=None)
    draw(console)
    return console.file.getvalue()


def test_the_scan_tables_show_brackets_as_they_are() -> None:
    rule = Rule("rule[0]", "r", "[i]title", "full", "help")
    finding = Finding(tool="semgrep", rule=rule, message=BRACKETS, severity=Severity.HIGH, category=Category.SAST,
                      location=Location("app/[id]/page.tsx", 3, 3), fingerprint="f1", found_by=("semgrep",))
    run = RunResult(
        target="/repo", started=dt.datetime(2026, 11, 30).isoformat(), finished=dt.datetime(2026, 11, 30).isoformat(),
        guard_version="1", findings=(finding,),
        scanners=(ScannerRun("semgrep", Category.SAST, Status.OK, version="1.0 [x]", findings=(finding,)),
                  ScannerRun("trivy", Category.IAC, Status.ERROR, reason="[Errno 2] no such file [/tmp]")),
        gate=Gate(passed=False, fail_on=Severity.HIGH, blocking=("f1",), reasons=("policy P: [/x] in [id]",)))
    out = printed(lambda console: terminal.render(run, console))
    for text in (BRACKETS, "app/[id]/page.tsx:3", "semgrep:rule[0]", "1.0 [x]", "error: [Errno 2] no such file [/tmp]",
                 "FAILED: policy P: [/x] in [id]"):
        assert text in out


def test_the_controls_table_shows_brackets_as_they_are() -> None:
    (soc2,) = frameworks_for_config(["soc2"], [], None)
    result = ControlResult(framework="soc2", control_id="CC6.1", title="Logical access", status=ControlStatus.FAILED,
                           checks=("checkov:CKV[1]",), failing=("f1",), note="see app/[id]/page.tsx [/x]")
    out = printed(lambda console: render.controls_table([result], [soc2], console))
    assert "see app/[id]/page.tsx [/x]" in out and "checkov:CKV[1]" in out
