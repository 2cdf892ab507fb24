"""Where guard keeps its state on this machine (tool environments, advisory store, result cache)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """`$GUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/guard`, else `~/.cache/guard`."""
    explicit = os.environ.get("GUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "guard"
