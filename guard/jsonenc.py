"""Compact JSON for the large documents of a run (findings.json, SARIF, controls.json, policy input and output).

orjson encodes them several times faster than the standard library; what orjson refuses (a lone
surrogate from a tool's output, an integer beyond 64 bits, a non-string key) goes through the
standard encoder instead, which escapes or converts it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(obj: Any, *, indent: bool = False) -> bytes:
    """`obj` as compact UTF-8 JSON (`indent`: two spaces per level, for files people read); values
    JSON has no type for become their str()."""
    try:
        return orjson.dumps(obj, default=str, option=orjson.OPT_INDENT_2 if indent else None)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(obj, default=str, **({"indent": 2} if indent else {"separators": (",", ":")})).encode("ascii")


def loads(text: str | bytes) -> Any:
    """Parse JSON text (orjson: the policy engine's answers can list every finding)."""
    return orjson.loads(text)
