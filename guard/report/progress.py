"""Live progress for long scans: one line per scanner on a terminal, nothing otherwise."""

from __future__ import annotations

import contextlib
import threading
from typing import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

Callback = Callable[[str, str], None]


@contextlib.contextmanager
def scan_progress(console: Console) -> Iterator[Callback | None]:
    """Yields the runner's progress callback (scanner name, "start" | "run" | "done"), or None when
    `console` is not a terminal."""
    if not console.is_terminal:
        yield None
        return
    lock = threading.Lock()
    tasks: dict[str, int] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        def update(name: str, event: str) -> None:
            with lock:
                if event == "start":
                    tasks[name] = progress.add_task(escape(name), total=1)
                elif event == "done" and name in tasks:
                    progress.update(tasks[name], completed=1, description=f"{escape(name)} [green]done[/]")

        yield update
