"""TOML helpers: load a lockfile and find the line of each `[[name]]` table (tomllib has no positions)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Iterator

from guard.lockfiles.base import LockfileError, read_text


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def load_toml(root: Path, path: str) -> tuple[dict[str, Any], str]:
    text = read_text(root, path)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        where = _AT_LINE.search(str(exc))
        raise LockfileError(f"{path}:{where.group(1) if where else '?'}: invalid TOML: {exc}") from None
    except RecursionError:
        raise LockfileError(f"{path}: TOML nested too deeply") from None


def array_tables(
    doc: dict[str, Any], text: str, key: str, path: str, field: str = "version"
) -> Iterator[tuple[dict[str, Any], int | None]]:
    """Each table of the array `key` with the line of its `field =` key (else its `[[key]]` header)."""
    tables = doc.get(key, [])
    if not isinstance(tables, list):
        raise LockfileError(f"{path}: `{key}` must be an array of tables")
    header = re.compile(rf"^\s*\[\[\s*{re.escape(key)}\s*\]\]\s*(#.*)?$")
    assignment = re.compile(rf"^\s*{re.escape(field)}\s*=")
    physical = text.splitlines()
    heads = [n for n, line in enumerate(physical, 1) if header.match(line)]
    lines = []
    for i, head in enumerate(heads):
        end = heads[i + 1] - 1 if i + 1 < len(heads) else len(physical)
        found = next((n for n in range(head + 1, end + 1) if assignment.match(physical[n - 1])), None)
        lines.append(found or head)
    for i, table in enumerate(tables):
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            raise LockfileError(f"{path}:{lines[i] if i < len(lines) else '?'}: `[[{key}]]` entry without a name")
        yield table, lines[i] if len(lines) == len(tables) else None
