"""Terraform (.tf) files: python-hcl2 values plus lines from its parse tree.

Each block becomes {"block", "type", "name", "labels", "line", "end_line", "config", "lines"};
`config` holds plain values (`"${var.x}"` for expressions), nested blocks as lists, and
`jsonencode({...})` literals decoded to objects, so IAM documents read the same whether written as
heredoc JSON or HCL. `lines` maps dotted attribute paths (`ingress.0.cidr_blocks`) to lines.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import hcl2
import lark
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from guard.paths import cache_dir
from guard.policy.base import InputError
from guard.policy.inputs.tfblocks import block_entry, is_resource

_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False,
                                     preserve_heredocs=False)
_JSONENCODE = re.compile(r"^\$\{jsonencode\((.*)\)\}$", re.S)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """python-hcl2's grammar and post-lexer without position tracking: parsing takes half the time,
    and the few lines guard needs (blocks and attributes) come from the tokens, which keep theirs.

    Building it takes about 3 s, so the built parser is kept, as python-hcl2 keeps its own: beside
    python-hcl2's files, else (a read-only install) in guard's cache folder. lark checks the file
    against the grammar and options when loading it.
    """
    from hcl2 import parser as hcl2_parser
    from hcl2.postlexer import PostLexer

    name = f"hcl2-{metadata.version('python-hcl2')}-lark-{lark.__version__}-nopos.bin"
    beside = Path(hcl2_parser.__file__).parent / f".guard-{name}"
    mine = cache_dir() / "parsers" / name
    if beside.is_file() or mine.is_file():
        keep: Path | None = beside if beside.is_file() else mine
    elif os.access(beside.parent, os.W_OK):
        keep = beside
    else:
        try:
            mine.parent.mkdir(parents=True, exist_ok=True)
            keep = mine
        except OSError:
            keep = None  # built again by every run
    return Lark.open("hcl2.lark", parser="lalr", rel_to=hcl2_parser.__file__, propagate_positions=False,
                     postlex=PostLexer(), cache=str(keep) if keep is not None else False)


def _tree(text: str) -> Tree:
    """`text` parsed as python-hcl2 parses it (its grammar ends a statement with a newline)."""
    return _parser().parse(text + "\n")


def _values(text: str) -> dict[str, Any]:
    """`text` as python-hcl2's `loads` reads it, with guard's parser."""
    return hcl2.serialize(hcl2.transform(_tree(text)), serialization_options=_OPTIONS)


def load_terraform(path: str, text: str) -> dict[str, Any]:
    """{"resources": [...managed and data...], "blocks": [...other top-level blocks...]}."""
    try:
        tree = _tree(text)
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
                item = block_entry(block_type, labels, line, end_line, decoded(config), lines)
                (resources if is_resource(item) else blocks).append(item)
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


def decoded(value: Any) -> Any:
    """`value` with `${jsonencode(...)}` literals decoded to the values they encode."""
    if isinstance(value, dict):
        return {k: decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v) for v in value]
    if isinstance(value, str) and (m := _JSONENCODE.match(value)):
        try:
            encoded = _values(f"v = {m.group(1)}\n")["v"]
        except (LarkError, ValueError, KeyError, TypeError):
            return value
        return decoded(encoded)
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
        out[(name, tuple(labels), n)] = (_first_line(block), _last_line(block), lines)
    return out


def _index_body(body: Tree | None, prefix: str, out: dict[str, int]) -> None:
    seen: dict[str, int] = {}
    for child in body.children if body is not None else []:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            key = _text(child.children[0])
            out.setdefault(f"{prefix}{key}", _first_line(child))
        elif child.data == "block":
            name, _, inner = _block_parts(child)
            i = seen.get(name, 0)
            seen[name] = i + 1
            line = _first_line(child)
            out.setdefault(f"{prefix}{name}", line)
            out[f"{prefix}{name}.{i}"] = line
            _index_body(inner, f"{prefix}{name}.{i}.", out)


def _first_line(tree: Tree) -> int:
    """The line of the first token under `tree` (what lark's position tracking records)."""
    token = _edge_token(tree, first=True)
    return token.line if token is not None and token.line is not None else 1


def _last_line(tree: Tree) -> int:
    """The line the last token under `tree` ends on."""
    token = _edge_token(tree, first=False)
    return token.end_line if token is not None and token.end_line is not None else _first_line(tree)


def _edge_token(tree: Tree, first: bool) -> Token | None:
    for child in tree.children if first else reversed(tree.children):
        if isinstance(child, Token):
            return child
        if isinstance(child, Tree):
            found = _edge_token(child, first)
            if found is not None:
                return found
    return None


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
