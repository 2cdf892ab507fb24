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


def builtin_dir(name: str) -> Path:
    """A data folder shipped with guard (`policies`, `frameworks`).

    In a source checkout it is the top-level folder; an installed wheel carries it inside the
    package as `guard/builtin/<name>`.
    """
    package = Path(__file__).resolve().parent
    checkout = package.parent / name
    if checkout.is_dir() and (package.parent / "pyproject.toml").is_file():
        return checkout
    return package / "builtin" / name
