"""pyproject.toml: exactly pinned (`==X`) dependencies of [project], [dependency-groups] and Poetry."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from guard.lockfiles.base import Dependency, LockfileError, find_line
from guard.lockfiles.toml_tables import load_toml


class PyprojectParser:
    name = "pyproject.toml"
    patterns = ("pyproject.toml",)
    ecosystem = "PyPI"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        from packaging.requirements import InvalidRequirement, Requirement  # only when there is one to read

        doc, text = load_toml(root, path)
        deps = []
        for spec in _pep508_strings(doc):
            line = find_line(text, spec)
            try:
                requirement = Requirement(spec)
            except InvalidRequirement as exc:
                raise LockfileError(f"{path}:{line or '?'}: invalid requirement {spec!r}: {exc}") from None
            pins = [s.version for s in requirement.specifier if s.operator in {"==", "==="} and "*" not in s.version]
            if pins and requirement.url is None:
                deps.append(Dependency("PyPI", requirement.name, pins[0], path, line))
        poetry = doc.get("tool", {}).get("poetry", {})
        tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
        tables += [g.get("dependencies", {}) for g in poetry.get("group", {}).values() if isinstance(g, dict)]
        for table in tables:
            for name, value in table.items():
                version = value.get("version") if isinstance(value, dict) else value
                if name == "python" or not isinstance(version, str):
                    continue
                exact = version.strip().removeprefix("==")
                if exact and exact[0].isdigit() and not any(c in exact for c in "*^~<>=,| "):
                    deps.append(Dependency("PyPI", name, exact, path, _key_line(text, name)))
        return deps


def _key_line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), None)


def _pep508_strings(doc: dict[str, Any]) -> Iterator[str]:
    project = doc.get("project", {})
    yield from (s for s in project.get("dependencies", []) if isinstance(s, str))
    for group in project.get("optional-dependencies", {}).values():
        yield from (s for s in group if isinstance(s, str))
    for group in doc.get("dependency-groups", {}).values():
        yield from (s for s in group if isinstance(s, str))  # {include-group = ...} entries are tables
