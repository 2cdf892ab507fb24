"""Go modules: go.mod `require` (after `replace`), or go.sum when there is no go.mod beside it."""

from __future__ import annotations

import re
from pathlib import Path

from guard.lockfiles.base import Dependency, LockfileError, read_text

_REQUIRE_LINE = re.compile(r"^(\S+)\s+(v\S+)$")
_REPLACE = re.compile(r"^(\S+)(?:\s+(v\S+))?\s+=>\s+(\S+)(?:\s+(v\S+))?$")


def _strip_comment(line: str) -> str:
    return line.split("//", 1)[0].strip()


class GoModParser:
    name = "go.mod"
    patterns = ("go.mod",)
    ecosystem = "Go"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        text = read_text(root, path)
        requires: list[tuple[str, str, int]] = []
        replaces: dict[tuple[str, str | None], tuple[str, str | None]] = {}
        block: str | None = None
        for number, raw in enumerate(text.splitlines(), 1):
            line = _strip_comment(raw)
            if not line:
                continue
            if block:
                if line == ")":
                    block = None
                    continue
                body = line
                verb = block
            else:
                verb, _, body = line.partition(" ")
                body = body.strip()
                if body == "(":
                    block = verb
                    continue
            if verb == "require":
                match = _REQUIRE_LINE.match(body)
                if not match:
                    raise LockfileError(f"{path}:{number}: malformed require {body!r}")
                requires.append((match.group(1), match.group(2), number))
            elif verb == "replace":
                match = _REPLACE.match(body)
                if not match:
                    raise LockfileError(f"{path}:{number}: malformed replace {body!r}")
                replaces[(match.group(1), match.group(2))] = (match.group(3), match.group(4))
        deps = []
        for module, version, number in requires:
            target = replaces.get((module, version)) or replaces.get((module, None))
            if target is not None:
                module, version = target[0], target[1]
                if version is None:
                    continue  # replaced by a local directory
            deps.append(Dependency("Go", module, version, path, number))
        return deps


class GoSumParser:
    name = "go.sum"
    patterns = ("go.sum",)
    ecosystem = "Go"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        text = read_text(root, path)
        deps = []
        for number, line in enumerate(text.splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3 or not parts[2].startswith("h1:"):
                raise LockfileError(f"{path}:{number}: malformed go.sum line")
            module, version = parts[0], parts[1]
            if version.endswith("/go.mod"):
                continue  # only the module graph was read, its code is not built
            deps.append(Dependency("Go", module, version, path, number))
        return deps
