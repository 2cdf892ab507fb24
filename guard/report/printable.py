"""Texts from scanned files as a terminal shows them: control characters written out, not obeyed.

A message, path or tool's stderr line can hold escape sequences (a file may be named with them): printed
raw they clear the screen, rewrite what was printed (a fake "PASSED"), set the window title or plant a
hyperlink (CWE-150). Every C0 and C1 control but a line feed and a tab, DEL, and the bidirectional
overrides that reorder what is shown ("Trojan Source"), are written as `\\xNN` / `\\uNNNN`.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with its unsafe characters written out (`\x1b`, `\u202e`)."""
    return _UNSAFE.sub(_written_out, text)


def _written_out(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
