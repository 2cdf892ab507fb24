"""JSON with line numbers: parse with `json`, then map every value's path to the line it starts on."""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from guard.lockfiles.base import LockfileError, line_index

# a string (with the colon after it when it is an object's key), a bracket or a comma
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?|[{}\[\],]')

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
    stack: list[tuple[bool, Any]] = []  # the enclosing containers' (is_object, key or index)
    path: list[str | int] = []  # where the innermost open container sits
    is_object, at = False, None  # the innermost open container: an object? its current key or index
    depth = 0
    for match in _TOKEN.finditer(text):
        tok = match.group(0)
        first = tok[0]
        if first == '"':
            if match.group(2) is not None:  # an object's key
                raw = match.group(1)
                at = json.loads(f'"{raw}"') if "\\" in raw else raw
                out.setdefault((*path, at), bisect.bisect_right(starts, match.start()))
            elif depth and not is_object:  # an array's element
                out.setdefault((*path, at), bisect.bisect_right(starts, match.start()))
        elif first == "{" or first == "[":
            if depth:
                out.setdefault((*path, at), bisect.bisect_right(starts, match.start()))
                path.append(at)
                stack.append((is_object, at))
            is_object, at = first == "{", None if first == "{" else 0
            depth += 1
        elif first == "}" or first == "]":
            depth -= 1
            if depth:
                is_object, at = stack.pop()
                path.pop()
        elif depth and not is_object:  # a comma between an array's elements
            at += 1
    return out
