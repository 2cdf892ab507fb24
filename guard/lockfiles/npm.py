"""package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (nested `dependencies`) and 2-3 (`packages`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guard.lockfiles import jsonpos
from guard.lockfiles.base import Dependency, LockfileError, read_text


class PackageLockParser:
    name = "package-lock.json"
    patterns = ("package-lock.json", "npm-shrinkwrap.json")
    ecosystem = "npm"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, lines = jsonpos.load_object(read_text(root, path), path)
        packages = doc.get("packages")
        if isinstance(packages, dict):
            return _packages(packages, lines, path)
        tree = doc.get("dependencies") or {}
        if not isinstance(tree, dict):
            raise LockfileError(f"{path}:{lines.get(('dependencies',), '?')}: `dependencies` must be an object")
        return _nested(tree, ("dependencies",), lines, path)


def _packages(packages: dict[str, Any], lines: dict[Any, int], path: str) -> list[Dependency]:
    deps = []
    for key, entry in packages.items():
        if "node_modules/" not in key or not isinstance(entry, dict) or entry.get("link"):
            continue  # "" is the project; workspace folders and links are local code
        version = entry.get("version")
        if not isinstance(version, str) or not _registry_version(version):
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            name = key.rsplit("node_modules/", 1)[1]
        line = lines.get(("packages", key, "version"), lines.get(("packages", key)))
        deps.append(Dependency("npm", name, version, path, line))
    return deps


def _nested(tree: dict[str, Any], prefix: tuple[Any, ...], lines: dict[Any, int], path: str) -> list[Dependency]:
    deps = []
    for name, entry in tree.items():
        if not isinstance(entry, dict):
            raise LockfileError(f"{path}:{lines.get((*prefix, name), '?')}: dependency {name!r} must be an object")
        version = entry.get("version")
        here = (*prefix, name)
        if isinstance(version, str) and version.startswith("npm:"):  # alias: "npm:real-name@1.2.3"
            name, _, version = version[4:].rpartition("@")
        if isinstance(version, str) and _registry_version(version):
            deps.append(Dependency("npm", name, version, path, lines.get((*here, "version"), lines.get(here))))
        if isinstance(entry.get("dependencies"), dict):
            deps.extend(_nested(entry["dependencies"], (*here, "dependencies"), lines, path))
    return deps


def _registry_version(version: str) -> bool:
    """Plain semver, not a tarball URL, git ref or file: link."""
    return bool(version) and version[0].isdigit() and ":" not in version and "/" not in version
