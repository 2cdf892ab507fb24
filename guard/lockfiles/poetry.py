"""poetry.lock: `[[package]]` tables (registry sources only)."""

from __future__ import annotations

from pathlib import Path

from guard.lockfiles.base import Dependency
from guard.lockfiles.toml_tables import array_tables, load_toml


class PoetryParser:
    name = "poetry.lock"
    patterns = ("poetry.lock",)
    ecosystem = "PyPI"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, text = load_toml(root, path)
        deps = []
        for package, line in array_tables(doc, text, "package", path):
            source = package.get("source") or {}
            if source.get("type") in {"git", "directory", "file", "url"}:
                continue
            deps.append(Dependency("PyPI", str(package["name"]), str(package["version"]), path, line))
        return deps
