"""Start bandit's command line without loading its progress bar's library until one is shown.

Run by bandit's own interpreter in place of its `bandit` script (see `bandit.start`); it imports nothing
from guard.

bandit's manager imports `rich.progress` at its start (rich's console, live display and markup: 50-70 ms of
the 0.27-0.35 s bandit takes on one file) for a progress bar it shows only on a run of many files logged at
INFO level. guard runs it quiet (`-q`), so the bar is never shown; here the module is loaded when first used
(importlib's `LazyLoader`): a run that shows the bar gets it as before.

Written for the bandit version guard pins (`tools/catalog.py`); another is started by its own script.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # this file's folder: its modules are guard's (bandit.py among them), not bandit's

import importlib.abc  # noqa: E402
import importlib.machinery  # noqa: E402
import importlib.util  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Sequence  # noqa: E402

LAZY = ("rich.progress",)  # modules loaded when first used


class Lazy(importlib.abc.MetaPathFinder):
    """Finds the modules of `LAZY` for the import system with importlib's `LazyLoader`."""

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name not in LAZY:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


sys.meta_path.insert(0, Lazy())

from bandit.cli.main import main  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "bandit"
    sys.exit(main())
