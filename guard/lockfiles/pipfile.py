"""Pipfile.lock: the `default` and `develop` sections (`"version": "==X"`)."""

from __future__ import annotations

from pathlib import Path

from guard.lockfiles import jsonpos
from guard.lockfiles.base import Dependency, LockfileError, read_text


class PipfileLockParser:
    name = "Pipfile.lock"
    patterns = ("Pipfile.lock",)
    ecosystem = "PyPI"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, lines = jsonpos.load_object(read_text(root, path), path)
        deps = []
        for section in ("default", "develop"):
            entries = doc.get(section) or {}
            if not isinstance(entries, dict):
                raise LockfileError(f"{path}:{lines.get((section,), 1)}: `{section}` must be an object")
            for name, entry in entries.items():
                version = entry.get("version") if isinstance(entry, dict) else None
                if not isinstance(version, str) or not version.startswith("=="):
                    continue  # git, path and editable entries carry no registry version
                line = lines.get((section, name, "version"), lines.get((section, name)))
                deps.append(Dependency("PyPI", name, version.lstrip("="), path, line))
        return deps
