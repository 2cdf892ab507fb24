"""Compact JSON for the large documents of a run (findings.json, SARIF, controls.json, policy input and output).

orjson encodes them several times faster than the standard library; what orjson refuses (a lone
surrogate from a tool's output, an integer beyond 64 bits, a non-string key) goes through the
standard encoder instead, which escapes or converts it.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

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


class SharedLists:
    """`{key: [values]}` JSON for mappings many records share (a rule's control mapping), made once
    per mapping object. Each mapping is kept with its JSON, so its id stays unique while in use."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Mapping[str, Iterable[str]], dict[str, list[str]]]] = {}

    def __call__(self, mapping: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
        found = self._known.get(id(mapping))
        if found is None:
            found = self._known[id(mapping)] = (mapping, {k: list(v) for k, v in mapping.items()})
        return found[1]
