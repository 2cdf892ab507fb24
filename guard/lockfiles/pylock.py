"""pylock.toml (PEP 751): `[[packages]]` with a version, excluding VCS and local-directory entries."""

from __future__ import annotations

from pathlib import Path

from guard.lockfiles.base import Dependency
from guard.lockfiles.toml_tables import array_tables, load_toml


class PylockParser:
    name = "pylock.toml"
    patterns = ("pylock.toml", "pylock.*.toml")
    ecosystem = "PyPI"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, text = load_toml(root, path)
        deps = []
        for package, line in array_tables(doc, text, "packages", path):
            if not package.get("version") or "vcs" in package or "directory" in package:
                continue
            deps.append(Dependency("PyPI", package["name"], str(package["version"]), path, line))
        return deps
