"""Terraform (.tf) files: python-hcl2 values plus lines from its parse tree.

Each block becomes {"block", "type", "name", "labels", "line", "end_line", "config", "lines"};
`config` holds plain values (`"${var.x}"` for expressions), nested blocks as lists, and
`jsonencode({...})` literals decoded to objects, so IAM documents read the same whether written as
heredoc JSON or HCL. `lines` maps dotted attribute paths (`ingress.0.cidr_blocks`) to lines.
"""

from __future__ import annotations

import re
from typing import Any

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from guard.policy.base import InputError

_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False,
                                     preserve_heredocs=False)
_JSONENCODE = re.compile(r"^\$\{jsonencode\((.*)\)\}$", re.S)


def load_terraform(path: str, text: str) -> dict[str, Any]:
    """{"resources": [...managed and data...], "blocks": [...other top-level blocks...]}."""
    try:
        tree = hcl2.parses_to_tree(text)
        positions = _top_blocks(tree)
        data = hcl2.serialize(hcl2.transform(tree), serialization_options=_OPTIONS)
    except UnexpectedInput as exc:
        raise InputError(path, exc.line, f"invalid Terraform: {str(exc).splitlines()[0]}") from None
    except (LarkError, ValueError, TypeError) as exc:
        raise InputError(path, None, f"invalid Terraform: {exc}") from None
    resources: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    for block_type, entries in data.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            for labels, config in _flatten(block_type, entry):
                n = counters.get(block_type, 0) if not labels else 0
                if not labels:
                    counters[block_type] = n + 1
                key = (block_type, tuple(labels), n)
                line, end_line, lines = positions.get(key, (1, 1, {}))
                item = {
                    "block": block_type,
                    "type": labels[0] if labels else None,
                    "name": labels[1] if len(labels) > 1 else (labels[0] if labels else None),
                    "labels": labels,
                    "line": line,
                    "end_line": end_line,
                    "config": _decode(config),
                    "lines": lines,
                }
                if block_type in ("resource", "data") and len(labels) == 2:
                    item["mode"] = "managed" if block_type == "resource" else "data"
                    item["address"] = ".".join(labels) if block_type == "resource" else "data." + ".".join(labels)
                    resources.append(item)
                else:
                    blocks.append(item)
    return {"resources": resources, "blocks": blocks}


def _flatten(block_type: str, entry: Any) -> list[tuple[list[str], Any]]:
    """hcl2 nests labelled blocks as {type: {name: config}}; undo that per block kind."""
    depth = {"resource": 2, "data": 2, "provider": 1, "module": 1, "variable": 1, "output": 1}.get(block_type, 0)
    out: list[tuple[list[str], Any]] = []

    def walk(value: Any, labels: list[str]) -> None:
        if len(labels) == depth or not isinstance(value, dict):
            out.append((labels, value))
            return
        for key, sub in value.items():
            walk(sub, [*labels, str(key)])

    walk(entry, [])
    return out


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, str) and (m := _JSONENCODE.match(value)):
        try:
            decoded = hcl2.loads(f"v = {m.group(1)}\n", serialization_options=_OPTIONS)["v"]
        except (LarkError, ValueError, KeyError, TypeError):
            return value
        return _decode(decoded)
    return value


# -- lines from the parse tree --------------------------------------------------------------


def _top_blocks(tree: Tree) -> dict[tuple[str, tuple[str, ...], int], tuple[int, int, dict[str, int]]]:
    out: dict[tuple[str, tuple[str, ...], int], tuple[int, int, dict[str, int]]] = {}
    counters: dict[str, int] = {}
    body = next((c for c in tree.children if isinstance(c, Tree) and c.data == "body"), None)
    for block in _children(body, "block"):
        name, labels, inner = _block_parts(block)
        n = 0
        if not labels:
            n = counters.get(name, 0)
            counters[name] = n + 1
        lines: dict[str, int] = {}
        _index_body(inner, "", lines)
        out[(name, tuple(labels), n)] = (block.meta.line, block.meta.end_line, lines)
    return out


def _index_body(body: Tree | None, prefix: str, out: dict[str, int]) -> None:
    seen: dict[str, int] = {}
    for child in body.children if body is not None else []:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            key = _text(child.children[0])
            out.setdefault(f"{prefix}{key}", child.meta.line)
        elif child.data == "block":
            name, _, inner = _block_parts(child)
            i = seen.get(name, 0)
            seen[name] = i + 1
            out.setdefault(f"{prefix}{name}", child.meta.line)
            out[f"{prefix}{name}.{i}"] = child.meta.line
            _index_body(inner, f"{prefix}{name}.{i}.", out)


def _block_parts(block: Tree) -> tuple[str, list[str], Tree | None]:
    name = _text(block.children[0])
    labels = [_text(c) for c in block.children[1:] if isinstance(c, Tree) and c.data in ("string", "identifier")]
    inner = next((c for c in block.children if isinstance(c, Tree) and c.data == "body"), None)
    return name, labels, inner


def _children(tree: Tree | None, data: str) -> list[Tree]:
    return [c for c in tree.children if isinstance(c, Tree) and c.data == data] if tree is not None else []


def _text(node: Any) -> str:
    if isinstance(node, Token):
        return "" if node.type == "DBLQUOTE" else str(node)
    return "".join(_text(c) for c in node.children)
