"""What a resident process's code is made of, on disk: when it changes, the process is stale."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Iterable

from guard.digest import package_state
from guard.resident.endpoint import stamps


@dataclass(frozen=True)
class Snapshot:
    """The size, modification time and inode of every file and import folder a process's code comes from,
    and guard's package as `digest.package_state` sees it (a file added to it too)."""

    paths: tuple[str, ...]
    stats: tuple[tuple[int, int, int] | None, ...]
    package: str

    @classmethod
    def of_loaded_modules(cls) -> "Snapshot":
        """The interpreter, every loaded module's file, guard's package and the import folders (a package
        installed or removed changes theirs)."""
        files = {sys.executable}
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if isinstance(path, str):
                files.add(path)
        files.update(p for p in sys.path if p and os.path.isdir(p))
        return cls.of(files)

    @classmethod
    def of(cls, paths: Iterable[str]) -> "Snapshot":
        ordered = tuple(sorted(paths))
        return cls(ordered, stamps(ordered), package_state())

    def changed(self) -> bool:
        return stamps(self.paths) != self.stats or package_state() != self.package
