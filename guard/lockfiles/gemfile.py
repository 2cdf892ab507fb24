"""Gemfile.lock / gems.locked (Bundler): the gems of `GEM` sections' `specs:` (GIT and PATH sources skipped)."""

from __future__ import annotations

import re
from pathlib import Path

from guard.lockfiles.base import Dependency, LockfileError, read_text

# `    name (version)` or `    name (version-platform)`; Bundler splits the platform off at the first "-"
_SPEC = re.compile(r"^    (\S+) \((\d[^-()\s]*)(?:-[^()\s]+)?\)$")


class GemfileLockParser:
    name = "Gemfile.lock"
    patterns = ("Gemfile.lock", "gems.locked")
    ecosystem = "RubyGems"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        text = read_text(root, path)
        deps = []
        section, in_specs = "", False
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            if not line[0].isspace():  # GEM, GIT, PATH, PLATFORMS, DEPENDENCIES, BUNDLED WITH, ...
                section, in_specs = line.strip(), False
            elif section == "GEM" and line.rstrip() == "  specs:":
                in_specs = True
            elif in_specs and line.startswith("    ") and line[4] != " ":  # six spaces: a gem's own requirements
                match = _SPEC.match(line.rstrip())
                if not match:
                    raise LockfileError(f"{path}:{number}: malformed spec {line.strip()!r} (expected `name (version)`)")
                deps.append(Dependency("RubyGems", match.group(1), match.group(2), path, number))
        return deps
