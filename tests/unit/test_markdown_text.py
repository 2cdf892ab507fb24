"""summary.md (a job summary, a PR comment) shows a run's texts as they are: a message, path or reason
from the scanned files makes no link, image, HTML, mention or extra table column there."""

from __future__ import annotations

import datetime as dt
import re

from guard.compliance import render
from guard.compliance.frameworks import frameworks_for_config
from guard.model import (Category, ControlResult, ControlStatus, Finding, Gate, Location, Rule, RunResult, ScannerRun,
                         Severity, Status, Waiver)
from guard.report import markdown

HOSTILE = ("see ![x](https://evil.example/p.png) [click](https://evil.example) <img src=x> @acme/security a|b *c* `d` "
           "\x1b[2J")


def unescaped_pipes(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row))


def test_a_hostile_message_makes_no_markdown_in_the_summary() -> None:
    rule = Rule("rule`1|x", "r", HOSTILE, "full", "help")
    finding = Finding(tool="semgrep", rule=rule, message=HOSTILE, severity=Severity.HIGH, category=Category.SAST,
                      location=Location("app/[id] (copy).py", 3, 3), fingerprint="f1", found_by=("semgrep",))
    waiver = Waiver(reason=HOSTILE, owner="@acme/owners", expires="2027-01-01", source="waivers.yaml:3")
    run = RunResult(
        target="/repo", started=dt.datetime(2026, 11, 30).isoformat(), finished=dt.datetime(2026, 11, 30).isoformat(),
        guard_version="1", findings=(finding,), waived=((finding, waiver),),
        scanners=(ScannerRun("semgrep", Category.SAST, Status.ERROR, reason=HOSTILE),),
        gate=Gate(passed=False, fail_on=Severity.HIGH, blocking=("f1",), reasons=(HOSTILE,)))
    text = markdown.render(run, link_base="https://github.com/o/r/blob/abc")
    for made in ("![x](", "[click](", "<img", "@acme", "*c*", "\x1b"):
        assert made not in text
    assert "@\u200bacme/security" in text and "&lt;img src=x&gt;" in text
    (row,) = [line for line in text.splitlines() if line.startswith("| high | ``")]
    assert unescaped_pipes(row) == 5  # four cells
    assert "``rule`1\\|x``" in row  # the rule id as code, its backtick and pipe kept
    assert "(https://github.com/o/r/blob/abc/app/%5Bid%5D%20%28copy%29.py#L3)" in row
    (scanner_row,) = [line for line in text.splitlines() if line.startswith("| semgrep |")]
    assert unescaped_pipes(scanner_row) == 7


def test_the_controls_markdown_escapes_and_keeps_long_notes_whole() -> None:
    (soc2,) = frameworks_for_config(["soc2"], [], None)
    note = "a|b " + "x" * 400 + " ![i](https://evil.example/i.png)"
    result = ControlResult(framework="soc2", control_id="CC6.1", title="Logical access", status=ControlStatus.FAILED,
                           checks=("checkov:CKV_AWS_1",), failing=("f1",), note=note)
    text = render.controls_markdown([result], [soc2])
    (row,) = [line for line in text.splitlines() if line.startswith("| CC6.1 |")]
    assert unescaped_pipes(row) == 7 and "x" * 400 in row and "![i](" not in row
