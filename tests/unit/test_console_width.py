"""Tables printed to a pipe or a CI log are LOG_COLUMNS wide, not rich's 80 (which wrapped every
cell of the scanner table); COLUMNS, when set, decides."""

from __future__ import annotations

import io
import sys

import pytest

from guard.commands.common import LOG_COLUMNS, stdout_console


def test_a_pipe_gets_log_columns_unless_columns_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not a terminal
    monkeypatch.delenv("COLUMNS", raising=False)
    assert stdout_console().width == LOG_COLUMNS
    monkeypatch.setenv("COLUMNS", "100")
    assert stdout_console().width == 100
