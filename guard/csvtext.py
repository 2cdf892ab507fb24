"""CSV files people open in a spreadsheet (controls, waivers, change records in evidence bundles).

A text cell a spreadsheet would evaluate as a formula (one starting with `=`, `+`, `-`, `@`, a tab or a
line break: CWE-1236, CSV injection) is written with a `'` before it, which spreadsheets show as
text: waiver reasons, branch names, paths and notes come from the repository a run scanned, and an
auditor opens these files.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\n")  # a carriage return, too: it is written as a line feed


def cell(value: Any) -> Any:
    """`value`, with line breaks as line feeds (the csv module quotes a field holding one, not one holding
    a bare carriage return: a reader split the row there), and a text a spreadsheet would evaluate
    prefixed with `'`."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return f"'{value}" if value.startswith(FORMULA_START) else value


def value(text: str) -> str:
    """What a cell written by `cell` holds: its `'` before a formula-like text removed (a text that began
    with `'=` itself reads back without its `'`)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def dumps(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The header and rows as CSV text (`\\n` line ends), every cell through `cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return buf.getvalue()
