"""The entry points of installed packages (guard's own and plugin scanners, plugin policies), read
once per process: each read walks every installed distribution's metadata."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata


@lru_cache(maxsize=1)
def _installed() -> metadata.EntryPoints:
    return metadata.entry_points()


def entry_points(group: str) -> metadata.EntryPoints:
    """The entry points of `group`."""
    return _installed().select(group=group)
