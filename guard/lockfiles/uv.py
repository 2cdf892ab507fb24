"""uv.lock: `[[package]]` tables from a registry (the project itself and local sources are skipped)."""

from __future__ import annotations

from pathlib import Path

from guard.lockfiles.base import Dependency
from guard.lockfiles.toml_tables import array_tables, load_toml

_LOCAL = {"editable", "virtual", "directory", "path", "git", "url"}


class UvParser:
    name = "uv.lock"
    patterns = ("uv.lock",)
    ecosystem = "PyPI"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, text = load_toml(root, path)
        deps = []
        for package, line in array_tables(doc, text, "package", path):
            source = package.get("source") or {}
            if not package.get("version") or _LOCAL & set(source):
                continue
            deps.append(Dependency("PyPI", package["name"], str(package["version"]), path, line))
        return deps
