"""A tool's version read from its environment's package metadata (no slow `--version` start-up)."""

from __future__ import annotations

import re
from pathlib import Path


def dist_version(exe: str, distribution: str) -> str | None:
    """Version of `distribution` installed in the virtual environment that holds `exe`, if any."""
    env = Path(exe).resolve().parent.parent
    pattern = re.compile(rf"^{re.escape(distribution).replace('-', '[-_]')}-([^-]+)\.dist-info$", re.IGNORECASE)
    for site in env.glob("lib/python*/site-packages"):
        for entry in site.iterdir():
            match = pattern.match(entry.name)
            if match:
                return match.group(1)
    return None
