"""Cargo.lock: `[[package]]` tables from a registry (workspace members, path and git crates are skipped)."""

from __future__ import annotations

from pathlib import Path

from guard.lockfiles.base import Dependency, LockfileError
from guard.lockfiles.toml_tables import array_tables, load_toml


class CargoLockParser:
    name = "Cargo.lock"
    patterns = ("Cargo.lock",)
    ecosystem = "crates.io"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, text = load_toml(root, path)
        deps = []
        for package, line in array_tables(doc, text, "package", path, field="name"):
            source = package.get("source")
            if not isinstance(source, str) or not source.startswith("registry+"):
                continue
            version = package.get("version")
            if not isinstance(version, str) or not version:
                raise LockfileError(f"{path}:{line or '?'}: package {package['name']!r} has no version")
            deps.append(Dependency("crates.io", package["name"], version, path, line))
        return deps
