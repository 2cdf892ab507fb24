"""pip requirements files: `name==version` pins (hashes, markers, extras), `-r` includes followed."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from guard.lockfiles.base import Dependency, LockfileError, read_text

_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(\S+)")
_OPTION_WITH_VALUE = re.compile(r"--hash(?:=|\s+)\S+")
_URL_OR_PATH = re.compile(r"^(?:[a-z+]+://|\.{0,2}/|-e\b|--editable\b)", re.IGNORECASE)


class RequirementsParser:
    name = "requirements.txt"
    patterns = ("requirements*.txt", "*requirements/*.txt", "*-requirements.txt", "*_requirements.txt")
    ecosystem = "PyPI"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        return _parse(root, path, ())


def first_unpinned(text: str) -> int | None:
    """The line of the first release the file asks for without pinning its version (`Flask`,
    `redis>=4`): pip chooses one at install time. A file applying constraints (`-c`) may be pinned
    there: None, as for a file that pins everything."""
    from packaging.requirements import InvalidRequirement, Requirement

    lines = _logical_lines(text)
    if any(line.startswith(("-c", "--constraint")) for _, line in lines):
        return None
    for number, line in lines:
        if line.startswith("-") or _URL_OR_PATH.match(line) or " @ " in line:
            continue
        try:
            requirement = Requirement(_OPTION_WITH_VALUE.sub("", line).strip())
        except InvalidRequirement:
            return number  # unreadable: whether it pins is unknown
        if not any(s.operator in {"==", "==="} and "*" not in s.version for s in requirement.specifier):
            return number
    return None


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line, joined text) with `\\` continuations joined and comments dropped."""
    out: list[tuple[int, str]] = []
    buffer, first = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if not buffer:
            first = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            out.append((first, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((first, buffer.strip()))
    return out


def _parse(root: Path, path: str, chain: tuple[str, ...]) -> list[Dependency]:
    from packaging.requirements import InvalidRequirement, Requirement  # only when there is one to read

    if path in chain:
        raise LockfileError(f"{chain[-1]}: `-r` include cycle: {' -> '.join((*chain, path))}")
    text = read_text(root, path)
    deps: list[Dependency] = []
    for number, line in _logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), include.group(1)))
            if not (root / target).is_file():
                raise LockfileError(f"{path}:{number}: included file {include.group(1)} not found")
            deps.extend(_parse(root, target, (*chain, path)))
            continue
        if line.startswith("-") and not line.startswith(("-e", "--editable")):
            continue  # other options: -c constraints, --index-url, --hash-only lines, -f ...
        if _URL_OR_PATH.match(line) or " @ " in line:
            continue  # local paths, editables and direct URLs are not registry releases
        spec = _OPTION_WITH_VALUE.sub("", line).strip()
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as exc:
            raise LockfileError(f"{path}:{number}: invalid requirement {spec!r}: {exc}") from None
        pins = [s.version for s in requirement.specifier if s.operator in {"==", "==="} and "*" not in s.version]
        if pins:
            deps.append(Dependency("PyPI", requirement.name, pins[0], path, number))
    return deps
