"""JSON and YAML documents with a line index: `lines["spec.containers.0.image"] == 21`.

Keys of the index are dotted paths (list items by position); a mapping value's line is its key's
line, a list item's line is where the item starts. A key written twice in one mapping makes the file
unreadable (an InputError naming both lines): parsers disagree on which value counts. YAML accepts
CloudFormation's short tags (`!Ref x` becomes `{"Ref": "x"}`, `!GetAtt a.b` becomes
`{"Fn::GetAtt": ["a", "b"]}`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from guard.policy.base import InputError

MAX_NODES = 1_000_000  # YAML nodes after alias expansion (a billion-laughs document stops here)
# Only the line index of JSON is read through YAML; libyaml builds it about 6x faster when present.
_JSON_LINES_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Document:
    content: Any
    line: int
    lines: dict[str, int]

    def as_input(self) -> dict[str, Any]:
        return {"content": self.content, "line": self.line, "lines": self.lines}


class _Loader(yaml.SafeLoader):
    """Safe YAML plus CloudFormation short-form intrinsic functions."""


def _intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _intrinsic)


def _expanded_nodes(root: yaml.Node, budget: int) -> int:
    """How many nodes the document has with aliases expanded, counting no further than budget + 1.

    Aliases make the node graph share children, so a billion-laughs document is small as a graph
    and huge when expanded: walk it as a tree (iteratively) and stop once over the budget.
    `scanners/detect_secrets_start.expands_past` counts the same way, in detect-secrets' interpreter.
    """
    seen, stack = 0, [root]
    while stack and seen <= budget:
        node = stack.pop()
        seen += 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return seen


def load_yaml(path: str, text: str) -> list[Document]:
    """All documents of a YAML stream (empty ones dropped). Raises InputError with file:line."""
    loader = _Loader(text)
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            content = loader.construct_document(node)
            if content is None:
                continue
            if _expanded_nodes(node, MAX_NODES) > MAX_NODES:
                raise InputError(path, node.start_mark.line + 1, "document too large after alias expansion")
            lines: dict[str, int] = {}
            _index(node, "", lines)
            docs.append(Document(_jsonable(content), node.start_mark.line + 1, lines))
    except _KeyTwice as twice:
        raise twice.input_error(path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, mark.line + 1 if mark else None, f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise InputError(path, None, "YAML nested too deeply") from None
    finally:
        loader.dispose()
    return docs


# JSON with comments (tsconfig.json, .vscode/*.json, devcontainer.json): a string, a comment, or a comma
# before a closing bracket
_JSONC_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.S)
_JSONC_TRAILING_COMMA = re.compile(r'"(?:[^"\\\n]|\\.)*"|,(?=\s*[}\]])')


def parse_json(path: str, text: str) -> Any:
    """A JSON document's content, JSON with comments and trailing commas too. Raises InputError with file:line."""
    return _parse_json(path, text)[0]


def _parse_json(path: str, text: str) -> tuple[Any, str]:
    """The content and the text it was read from (`text` with comments and trailing commas blanked)."""
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        plain = _without_comments(text)
        if plain != text:
            try:
                return json.loads(plain), plain
            except (json.JSONDecodeError, RecursionError):
                pass
        raise InputError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(path, None, "JSON nested too deeply") from None


def _without_comments(text: str) -> str:
    """`text` with JSONC comments and trailing commas turned to spaces (lines and columns kept)."""
    def blank(match: re.Match[str]) -> str:
        token = match.group()
        return token if token.startswith('"') else re.sub(r"[^\n]", " ", token)

    return _JSONC_TRAILING_COMMA.sub(blank, _JSONC_COMMENT.sub(blank, text))


def load_json(path: str, text: str) -> list[Document]:
    """One JSON document; lines come from reading it as YAML (JSON is YAML) when that works."""
    content, text = _parse_json(path, text)
    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text, Loader=_JSON_LINES_LOADER)
        if node is not None:
            _index(node, "", lines)
    except _KeyTwice as twice:
        raise twice.input_error(path) from None
    except (yaml.YAMLError, RecursionError):
        pass  # valid JSON that PyYAML cannot read: values stay, findings fall back to line 1
    return [Document(content, 1, lines)]


class _KeyTwice(Exception):
    """A mapping holds `key` twice: at `line`, first at `first`."""

    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(key, line, first)
        self.key, self.line, self.first = key, line, first

    def input_error(self, path: str) -> InputError:
        return InputError(path, self.line, f"key {self.key!r} given twice (first at line {self.first}): tools "
                                           "read such a file differently (the last value, the first, or an error)")


def _index(node: yaml.Node, prefix: str, out: dict[str, int]) -> None:
    """Dotted paths -> lines into `out`. Raises _KeyTwice for a key written twice in one mapping (keys a
    merge key `<<` brings from elsewhere are not written there)."""
    if isinstance(node, yaml.MappingNode):
        written: dict[str, int] = {}
        span = range(node.start_mark.index, node.end_mark.index + 1)
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value != "<<" and key.start_mark.index in span:
                if key.value in written:
                    raise _KeyTwice(key.value, key.start_mark.line + 1, written[key.value])
                written[key.value] = key.start_mark.line + 1
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            out.setdefault(path, key.start_mark.line + 1)
            _index(value, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}.{i}" if prefix else str(i)
            out.setdefault(path, item.start_mark.line + 1)
            _index(item, path, out)


def _jsonable(value: Any) -> Any:
    """YAML timestamps, sets and non-string keys become JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
