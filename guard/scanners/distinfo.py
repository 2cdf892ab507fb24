"""A tool's version read from its environment's package metadata (no slow `--version` start-up), and
how to start the pinned version without its console script: with a start script of guard's, or its
program itself."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path


@functools.lru_cache(maxsize=64)
def dist_version(exe: str, distribution: str) -> str | None:
    """Version of `distribution` installed in the virtual environment that holds `exe`, if any (asked
    once a process: the runner builds several command lines a run, each starting with it)."""
    env = Path(exe).resolve().parent.parent
    wanted = _normalized(distribution)
    for site in env.glob("lib/python*/site-packages"):
        for entry in site.iterdir():
            match = _DIST_INFO.match(entry.name)
            if match and _normalized(match.group(1)) == wanted:
                return match.group(2)
    return None


_DIST_INFO = re.compile(r"^(.+)-([^-]+)\.dist-info$")


def _normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them (`detect-secrets` is `detect_secrets`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def started_by(exe: str, distribution: str, version: str, marker: str, script: str) -> list[str]:
    """How to start the tool whose console script is `exe`: its interpreter running guard's `script`
    when `exe` is the script of `distribution` at `version` (the pinned one, which `script` was written
    for: the script's text holds `marker`); else `exe` itself."""
    python = _pinned_script(exe, distribution, version, marker)
    return [python, script] if python is not None else [exe]


def package_file(exe: str, distribution: str, version: str, marker: str, relative: str) -> str | None:
    """The executable file `relative` (to site-packages) of `distribution` in the environment of its console
    script `exe`, when that is the script of `version` (see `started_by`); else None."""
    if _pinned_script(exe, distribution, version, marker) is None:
        return None
    for site in Path(exe).resolve().parent.parent.glob("lib/python*/site-packages"):
        found = site / relative
        if found.is_file() and os.access(found, os.X_OK):
            return str(found)
    return None


def _pinned_script(exe: str, distribution: str, version: str, marker: str) -> str | None:
    """The interpreter of `exe` when it is the console script of `distribution` at `version` (its text
    holds `marker`); else None."""
    try:
        with open(exe, "rb") as fh:
            head = fh.read(512).decode("utf-8", "replace")
    except OSError:
        return None
    first = head.split("\n", 1)[0]
    python = first[2:].strip()
    if (first.startswith("#!") and os.path.isabs(python) and os.path.basename(python).startswith("python")
            and os.access(python, os.X_OK) and marker in head and dist_version(exe, distribution) == version):
        return python
    return None
