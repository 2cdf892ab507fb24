"""composer.lock: `packages` and `packages-dev` releases (branches such as `dev-main` and path packages skipped)."""

from __future__ import annotations

from pathlib import Path

from guard.lockfiles import jsonpos
from guard.lockfiles.base import Dependency, LockfileError, read_text


class ComposerLockParser:
    name = "composer.lock"
    patterns = ("composer.lock",)
    ecosystem = "Packagist"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, lines = jsonpos.load_object(read_text(root, path), path)
        deps = []
        for section in ("packages", "packages-dev"):
            entries = doc.get(section) or []
            if not isinstance(entries, list):
                raise LockfileError(f"{path}:{lines.get((section,), '?')}: `{section}` must be an array")
            for i, entry in enumerate(entries):
                line = lines.get((section, i, "name"), lines.get((section, i)))
                if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("name", "version")):
                    raise LockfileError(f"{path}:{line or '?'}: `{section}` entry without a name and a version")
                version = entry["version"].removeprefix("v")  # tags such as "v5.4.1"
                dist = entry.get("dist")
                local = isinstance(dist, dict) and dist.get("type") == "path"
                if local or not version[:1].isdigit() or version.endswith("-dev"):
                    continue  # path packages and branches ("dev-main", "2.x-dev") are not registry releases
                deps.append(Dependency("Packagist", entry["name"], version, path, line))
        return deps
