"""Start bandit's command line without loading its progress bar's library until one is shown.

Run by bandit's own interpreter in place of its `bandit` script (see `bandit.start`); it imports nothing
from guard.

bandit's manager imports `rich.progress` at its start (rich's console, live display and markup: 45-70 ms of
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

import importlib.util  # noqa: E402


def load_when_used(name: str) -> None:
    """Module `name` made importable now and run when one of its names is first asked for (importlib's
    `LazyLoader`); its package is imported now. Nothing when it is imported already (a warm process's run: asking
    a lazy module for its spec would run it)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return  # not installed: bandit's own import says so
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    package, _, attribute = name.rpartition(".")
    if package:
        setattr(sys.modules[package], attribute, module)
    spec.loader.exec_module(module)


load_when_used("rich.progress")

from bandit.cli.main import main  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "bandit"
    sys.exit(main())
