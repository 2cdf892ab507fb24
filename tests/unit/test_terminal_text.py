"""The terminal tables show a run's texts as they are: square brackets in a message, a path or a reason
are not rich markup (a `[id]` route vanished, `list[str]` lost `[str]`, a `[/x]` stopped the report), and
control characters are written out, not sent to the terminal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rich.console import Console

from guard.commands.common import fail
from guard.compliance import render
from guard.compliance.frameworks import frameworks_for_config
from guard.model import (Category, ControlResult, ControlStatus, Finding, Gate, Location, Rule, RunResult,
                         ScannerRun, Severity, Status)
from guard.report import terminal
from guard.report.printable import printable

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


ESCAPES = "x\x1b[2J\x1b]0;title\x07\rPASSED\u202eyp.\x9b"


def test_control_characters_from_a_run_are_written_out_not_obeyed() -> None:
    assert printable(ESCAPES) == "x\\x1b[2J\\x1b]0;title\\x07\\x0dPASSED\\u202eyp.\\x9b"
    assert printable("a line\nand a\ttab") == "a line\nand a\ttab"
    finding = Finding(tool="semgrep", rule=Rule("r", "r", "t", "f", "h"), message=ESCAPES, severity=Severity.HIGH,
                      category=Category.SAST, location=Location(f"src/{ESCAPES}.py", 1, 1), fingerprint="f1")
    run = RunResult(target="/repo", started="s", finished="f", guard_version="1", findings=(finding,),
                    scanners=(ScannerRun("trivy", Category.IAC, Status.ERROR, reason=ESCAPES),),
                    gate=Gate(passed=False, fail_on=Severity.HIGH, blocking=("f1",), reasons=(ESCAPES,)))
    out = printed(lambda console: terminal.render(run, console))
    assert not any(ch in out for ch in "\x1b\x07\r\x9b\u202e") and out.count("\\x1b[2J") >= 3


def test_an_error_message_quoting_a_file_is_written_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        fail(f"{ESCAPES}.yaml: not valid")
    assert "\x1b" not in (err := capsys.readouterr().err) and "\\x1b[2J" in err
