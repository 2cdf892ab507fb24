"""The cyclic garbage collector paused over the stages after the scanners.

Those stages build records that live to the end of the run and make no reference cycles worth
collecting, yet each pass of the collector walks every record made since the last one: at 100k
findings the passes cost a tenth of the run. Memory is still freed by reference counting; a cycle
made meanwhile waits for the collector's next pass.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nests: the outermost block resumes it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
