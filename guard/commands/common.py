"""Helpers shared by the command modules: exit codes and error reporting."""

from __future__ import annotations

from typing import NoReturn

import click

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> NoReturn:
    """Print `guard: message` to stderr and exit 2 (usage, config or tool error)."""
    click.echo(f"guard: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


def split_list(value: str | None) -> list[str] | None:
    """A comma-separated flag value as a list; None when the flag was not given."""
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]
