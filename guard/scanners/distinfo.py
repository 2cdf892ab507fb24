"""A tool's version read from its environment's package metadata (no slow `--version` start-up), and
how to start the pinned version with a start script of guard's instead of its console script."""

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
    try:
        with open(exe, "rb") as fh:
            head = fh.read(512).decode("utf-8", "replace")
    except OSError:
        return [exe]
    first = head.split("\n", 1)[0]
    python = first[2:].strip()
    if (first.startswith("#!") and os.path.isabs(python) and os.path.basename(python).startswith("python")
            and os.access(python, os.X_OK) and marker in head and dist_version(exe, distribution) == version):
        return [python, script]
    return [exe]
