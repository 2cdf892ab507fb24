"""Which finding policies may be evaluated over parts of a run's findings, their values then joined.

A finding policy's `deny` over all findings is the union of its `deny` over each part of them when
every `deny` rule looks at one finding at a time: each body iterates `some f in input.findings` at
most once, at its top level, and nothing else in the policy's package (nor in a package it refers
to) reads the findings any other way: no `count(input.findings)`, comprehension or `every` over
them, second iteration (pairs of findings), index (`some i, f in ...`), `with`, or whole `input`/
`data` document. `input.context` is the same in every part. Anything the check does not
recognise keeps the policy whole: it is evaluated over all findings, as without parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import orjson
import regorus

from guard.policy.heads import bound_in_bodies
from guard.policy.metadata import RegoModule

_REFS = ("RefDot", "RefBrack", "Var")
Path = tuple[str, ...]


def per_finding(modules: Sequence[RegoModule]) -> frozenset[str]:
    """The packages of the finding policies among `modules` (a pack's modules) that may be evaluated
    over parts of the findings."""
    policies = {m.package for m in modules if m.meta is not None and m.meta.input == "findings"}
    if not policies:
        return frozenset()
    parsed = [m for m in modules if m.meta is None or m.package in policies]  # others are never parsed: opaque
    engine = regorus.Engine()
    try:
        for m in parsed:
            engine.add_policy(m.path, bound_in_bodies(m.path, m.source))
        asts = orjson.loads(engine.get_ast_as_json())
    except RuntimeError:
        return frozenset()  # the engine reports the error when it loads the pack
    reads: dict[Path, _Reads] = {}
    for entry in asts:
        package = _path(entry["ast"]["package"]["refr"])
        if package is None:
            return frozenset()
        reads.setdefault(package, _Reads()).scan(entry["ast"], package)
    known = {tuple(m.package.split(".")) for m in modules}
    tainted = _tainted(reads, known)
    return frozenset(".".join(p) for p, r in reads.items()
                     if ".".join(p) in policies and r.per_finding and not _depends_on(r, p, tainted, known))


@dataclass
class _Reads:
    """What one package's modules read of the input and of other packages."""

    per_finding: bool = True  # every read of the findings is a deny body's one top-level iteration
    findings: bool = False  # reads the findings at all (an iteration included)
    data: list[Path] = field(default_factory=list)  # the static part of each `data` reference

    def scan(self, ast: Mapping[str, Any], package: Path) -> None:
        for imported in ast.get("imports", ()):
            self._ref(imported["refr"])
        for rule in ast.get("rules", ()):
            if "Spec" not in rule:  # a default value
                self._walk(rule)
                if _head_name(rule.get("Default", {}).get("refr")) == "deny":
                    self.per_finding = False
                continue
            head, bodies = rule["Spec"]["head"], rule["Spec"]["bodies"]
            is_deny = _head_name(next(iter(head.values())).get("refr")) == "deny"
            if is_deny and not ("Set" in head and "Var" in head["Set"]["refr"]):
                self.per_finding = False  # `deny := ...`, `deny[k] := ...`: not a set built per finding
            self._walk(head)
            for body in bodies:
                self._body(body, is_deny and self.per_finding)

    def _body(self, body: Mapping[str, Any], may_iterate: bool) -> None:
        iterations = 0
        for stmt in body["query"]["stmts"]:
            literal = stmt["literal"]
            if stmt.get("with_mods"):
                self.per_finding = False
            some_in = literal.get("SomeIn")
            if some_in is not None and _path(some_in["collection"], root="input") == ("findings",):
                self.findings = True
                iterations += 1
                if not may_iterate or iterations > 1 or not _unused(some_in["key"]):
                    self.per_finding = False
                self._walk(some_in["value"])
                continue
            self._walk(stmt)
        self._walk(body.get("assign"))

    def _walk(self, node: Any) -> None:
        stack = [node]
        while stack:
            item = stack.pop()
            if type(item) is list:
                stack.extend(item)
            elif type(item) is dict:
                if len(item) == 1 and next(iter(item)) in _REFS:
                    stack.extend(self._ref(item))
                else:
                    stack.extend(v for k, v in item.items() if k != "span" and type(v) in (dict, list))

    def _ref(self, node: Mapping[str, Any]) -> list[Any]:
        """Record a reference chain (`input.a.b`, `data.x[y]`, a variable); the parts left to walk."""
        root, path, rest = _chain(node)
        if root == "input":
            if path[:1] != ("context",):
                self.findings = True
                self.per_finding = False
        elif root == "data":
            self.data.append(path)
        return rest


def _chain(node: Mapping[str, Any]) -> tuple[str | None, Path, list[Any]]:
    """(root variable or None, the static path from it up to the first computed index, what is left
    to walk: computed indices and a non-variable base)."""
    fields: list[str] = []
    rest: list[Any] = []
    while True:
        kind, body = next(iter(node.items()))
        if kind == "RefDot":
            fields.append(body["field"][1])
        elif kind == "RefBrack":
            index = body["index"]
            if "String" in index:
                fields.append(index["String"]["value"])
            else:
                fields.clear()  # the static path ends before a computed index
                rest.append(index)
        elif kind == "Var":
            return body["value"], tuple(reversed(fields)), rest
        else:
            return None, (), [*rest, node]
        node = body["refr"]
        if len(node) != 1 or next(iter(node)) not in _REFS:
            return None, (), [*rest, node]


def _path(node: Any, root: str | None = None) -> Path | None:
    """The static path of a reference without computed parts (from `root`, or with its root when None)."""
    if type(node) is not dict or len(node) != 1 or next(iter(node)) not in _REFS:
        return None
    found, path, rest = _chain(node)
    if found is None or rest:
        return None
    if root is None:
        return (found, *path)
    return path if found == root else None


def _head_name(refr: Any) -> str | None:
    """The rule name a head reference starts with."""
    while type(refr) is dict and len(refr) == 1:
        kind, body = next(iter(refr.items()))
        if kind == "Var":
            return body["value"]
        if kind not in ("RefDot", "RefBrack"):
            return None
        refr = body["refr"]
    return None


def _unused(key: Any) -> bool:
    return key is None or _path(key) == ("_",)


def _affected(path: Path, packages: Iterable[Path]) -> list[Path]:
    """The packages a `data` reference with this static path may read."""
    return [p for p in packages if p[:len(path)] == path or path[:len(p)] == p]


def _depends_on(reads: _Reads, own: Path, tainted: set[Path], known: set[Path]) -> bool:
    return any(p in tainted for ref in reads.data for p in _affected(ref, known) if p != own)


def _tainted(reads: Mapping[Path, _Reads], known: set[Path]) -> set[Path]:
    """Packages that read the findings, directly or through the packages they refer to; a package
    that was not parsed (another kind of policy) counts as one."""
    tainted = {p for p in known if p not in reads} | {p for p, r in reads.items() if r.findings}
    changed = True
    while changed:
        changed = False
        for package, r in reads.items():
            if package not in tainted and _depends_on(r, package, tainted, known):
                tainted.add(package)
                changed = True
    return tainted
