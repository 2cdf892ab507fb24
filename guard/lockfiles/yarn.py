"""yarn.lock, classic (v1) and Berry (v2+): entry headers with their `version` lines."""

from __future__ import annotations

import re
from pathlib import Path

from guard.lockfiles.base import Dependency, LockfileError, read_text

_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')
_RESOLUTION = re.compile(r'^\s+resolution:\s+"?([^"]+)"?\s*$')
_LOCAL_PROTOCOLS = ("workspace:", "link:", "portal:", "file:", "exec:", "git", "http")


class YarnLockParser:
    name = "yarn.lock"
    patterns = ("yarn.lock",)
    ecosystem = "npm"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        text = read_text(root, path)
        deps: list[Dependency] = []
        entry: dict[str, object] | None = None
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if not line[0].isspace():
                _flush(entry, deps, path)
                if not line.rstrip().endswith(":"):
                    raise LockfileError(f"{path}:{number}: expected an entry header ending with ':'")
                entry = {"header": line.rstrip()[:-1], "line": number}
                continue
            if entry is None:
                raise LockfileError(f"{path}:{number}: indented line outside an entry")
            if line.startswith("  ") and not line.startswith("   "):
                version = _VERSION.match(line)
                resolution = _RESOLUTION.match(line)
                if version and "version" not in entry:
                    entry["version"], entry["version_line"] = version.group(1), number
                elif resolution:
                    entry["resolution"] = resolution.group(1)
        _flush(entry, deps, path)
        return deps


def _flush(entry: dict[str, object] | None, deps: list[Dependency], path: str) -> None:
    if entry is None or entry["header"] == "__metadata" or "version" not in entry:
        return
    spec = str(entry.get("resolution") or str(entry["header"]).split(",")[0]).strip().strip('"')
    name, _, rest = spec[1:].partition("@")
    name = spec[0] + name
    if rest.startswith("patch:"):  # "pkg@patch:pkg@npm%3A1.2.3#..." patches a registry release
        rest = "npm:"
    if rest.startswith("npm:") and "@" in rest[4:].lstrip("@"):  # alias "alias@npm:real@^1"
        real = rest[4:]
        name = real[0] + real[1:].partition("@")[0]
    elif rest.startswith(_LOCAL_PROTOCOLS):
        return
    version = str(entry["version"])
    if not version[:1].isdigit() or version.endswith("-use.local"):
        return
    deps.append(Dependency("npm", name, version, path, int(entry["version_line"])))  # type: ignore[arg-type]
