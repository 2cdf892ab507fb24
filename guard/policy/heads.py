"""Set rules that build their value in the head, rewritten for regorus to bind it in the body.

`deny contains {"msg": sprintf(..., [r.name])} if { some r in ...; ... }`: when the head's value is
undefined for one binding (a field one resource lacks), regorus drops every value of the rule, or
fails with "not an object", where OPA drops that binding's value alone. A policy in that common
style silently lost its results. Rewritten as `deny contains __guard_value if { ...; __guard_value
:= <the expression> }`, regorus evaluates it as OPA does. Lines stay where they were, so messages
naming a file:line still point at the policy as written.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping

import regorus

VALUE = "__guard_value"
# a rule head `... contains <not a variable followed by if>`: a cheap test before parsing the module
_CANDIDATE = re.compile(r"\bcontains\s+(?![A-Za-z_][A-Za-z0-9_]*\s+if\b)")
_CONTAINS = re.compile(rb"\s+contains\s+")
_CONSTANT = {"Var", "String", "RawString", "Number", "True", "False", "Null"}  # always defined once bound


def bound_in_bodies(path: str, source: str) -> str:
    """`source` with each set rule's head expression bound in its body (unchanged when there is none,
    or when the module does not parse: loading it then reports the error)."""
    if not _CANDIDATE.search(source):
        return source
    probe = regorus.Engine()
    try:
        probe.add_policy(path, source)
        (module,) = json.loads(probe.get_ast_as_json())
    except (RuntimeError, ValueError):
        return source
    data = source.encode("utf-8")  # regorus's spans count bytes
    for start, end, text in sorted(_edits(data, module["ast"]["rules"]), reverse=True):
        data = data[:start] + text + data[end:]
    return data.decode("utf-8")


def _edits(source: bytes, rules: list[Mapping[str, Any]]) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, replacement) in the UTF-8 `source` for each head expression and each body it is
    moved to."""
    for rule in rules:
        spec = rule.get("Spec")
        if spec is None or "Set" not in spec["head"] or not spec["bodies"]:
            continue
        head = spec["head"]["Set"]
        key = head.get("key")
        if key is None or next(iter(key)) in _CONSTANT:
            continue
        after_name = next(iter(head["refr"].values()))["span"]["end"]
        contains = _CONTAINS.match(source, after_name)
        if contains is None:
            continue
        start, end = contains.end(), spec["bodies"][0]["span"]["start"]
        expression = source[start:end].rstrip()
        # the head keeps the expression's line breaks; the body takes it on one line unless a comment or
        # a raw string in it needs its breaks (lines after this rule then move by that many)
        one_line = expression if b"#" in expression or b"`" in expression else b" ".join(expression.splitlines())
        name = VALUE.encode()
        yield start, start + len(expression), name + b"\n" * expression.count(b"\n")
        for body in spec["bodies"]:
            query = body["query"]["span"]
            if source[query["start"]:query["start"] + 1] == b"{" and source[query["end"] - 1:query["end"]] == b"}":
                yield query["end"] - 1, query["end"] - 1, b"; " + name + b" := " + one_line + b" "
            else:  # `if <one expression>`, without braces
                yield query["start"], query["start"], b"{ "
                yield query["end"], query["end"], b"; " + name + b" := " + one_line + b" }"
