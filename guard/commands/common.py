"""Helpers shared by the command modules: exit codes, error reporting, the tables' console."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
LOG_COLUMNS = 140  # tables written to a pipe or a CI log (rich's 80 wraps every cell of the scanner table)


def fail(message: str) -> NoReturn:
    """Print `guard: message` to stderr (control characters written out: it may quote a scanned file) and
    exit 2 (usage, config or tool error)."""
    from guard.report.printable import printable

    click.echo(printable(f"guard: {message}"), err=True)
    raise SystemExit(EXIT_ERROR)


def split_list(value: str | None) -> list[str] | None:
    """A comma-separated flag value as a list; None when the flag was not given."""
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def stdout_console() -> "Console":
    """The console tables are printed on: the terminal's width, else `COLUMNS`, else `LOG_COLUMNS`."""
    from rich.console import Console

    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(file=sys.stdout, width=LOG_COLUMNS if wide else None)
