"""JSON with line numbers: parse with `json`, then map every value's path to the line it starts on."""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from guard.lockfiles.base import LockfileError, line_index

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')

Path_ = tuple["str | int", ...]


def load(text: str, path: str) -> tuple[Any, dict[Path_, int]]:
    """(value, {path: line}) where a path is a tuple of object keys and array indexes."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise LockfileError(f"{path}: JSON nested too deeply") from None
    return value, _lines(text)


def load_object(text: str, path: str) -> tuple[dict[str, Any], dict[Path_, int]]:
    """`load` for a document that must be a JSON object (lockfiles are)."""
    doc, lines = load(text, path)
    if not isinstance(doc, dict):
        raise LockfileError(f"{path}:1: expected a JSON object")
    return doc, lines


def _lines(text: str) -> dict[Path_, int]:
    starts = line_index(text)
    out: dict[Path_, int] = {}
    frames: list[list[Any]] = []  # [is_object, key or index, expecting a key]
    path: list[str | int] = []  # where the innermost open container sits
    for match in _TOKEN.finditer(text):
        tok = match.group(0)
        if tok == "{" or tok == "[":
            if frames:
                component = frames[-1][1]
                out.setdefault((*path, component), bisect.bisect_right(starts, match.start()))
                path.append(component)
            frames.append([tok == "{", None if tok == "{" else 0, tok == "{"])
        elif tok == "}" or tok == "]":
            frames.pop()
            if frames:
                path.pop()
        elif tok == ":":
            frames[-1][2] = False
        elif tok == ",":
            if frames[-1][0]:
                frames[-1][2] = True
            else:
                frames[-1][1] += 1
        elif frames and frames[-1][0] and frames[-1][2]:
            frames[-1][1] = json.loads(tok)
            out.setdefault((*path, frames[-1][1]), bisect.bisect_right(starts, match.start()))
        elif frames and not frames[-1][0]:
            out.setdefault((*path, frames[-1][1]), bisect.bisect_right(starts, match.start()))
    return out
