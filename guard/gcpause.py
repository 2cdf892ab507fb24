"""The cyclic garbage collector paused over the stages after the scanners.

Those stages build records that live to the end of the run and make no reference cycles worth
collecting, yet each pass of the collector walks every record made since the last one: at 100k
findings the passes cost a tenth of the run. Memory is still freed by reference counting. When the
collector resumes, what exists then is frozen (`gc.freeze`): otherwise its first pass walks every
record made meanwhile (0.11-0.14 s at 100k findings); a cycle among them is never collected.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nests: the outermost block freezes what exists and
    resumes it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
