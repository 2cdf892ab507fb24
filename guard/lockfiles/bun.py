"""bun.lock (Bun's text lockfile, JSON with trailing commas): `packages` resolved from a registry."""

from __future__ import annotations

import re
from pathlib import Path

from guard.lockfiles import jsonpos
from guard.lockfiles.base import Dependency, LockfileError, read_text

_STRING_OR_TRAILING_COMMA = re.compile(r'"(?:[^"\\]|\\.)*"|,(?=\s*[}\]])')
_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")


class BunLockParser:
    name = "bun.lock"
    patterns = ("bun.lock",)  # not the binary bun.lockb
    ecosystem = "npm"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, lines = jsonpos.load_object(_strip_trailing_commas(read_text(root, path)), path)
        packages = doc.get("packages") or {}
        if not isinstance(packages, dict):
            raise LockfileError(f"{path}:{lines.get(('packages',), '?')}: `packages` must be an object")
        deps = []
        for key, entry in packages.items():
            line = lines.get(("packages", key))
            if not isinstance(entry, list) or not entry or not isinstance(entry[0], str) or "@" not in entry[0][1:]:
                raise LockfileError(f'{path}:{line or "?"}: package {key!r} must be an array starting "name@version"')
            name, _, version = entry[0].rpartition("@")
            if _VERSION.match(version):  # not workspace:, link:, file:, root:, git, github: or a tarball
                deps.append(Dependency("npm", name, version, path, line))
        return deps


def _strip_trailing_commas(text: str) -> str:
    """JSONC's trailing commas (outside strings) as spaces: the JSON keeps every offset and line."""
    return _STRING_OR_TRAILING_COMMA.sub(lambda m: " " if m.group(0) == "," else m.group(0), text)
