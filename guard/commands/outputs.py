"""Writing a run's outputs: guard.sarif, findings.json, summary.md (and what later stages add).

The writers are imported when used (`WRITERS`: a scan imports them while its tools run).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from guard import forked
from guard.atomic import asides_of, atomic_write, put_in_place, write_aside
from guard.gcpause import collector_paused
from guard.model import RunResult


WRITERS = ("guard.sarif.write", "guard.report.jsonfile", "guard.report.markdown")
FORK_AT = 5_000  # findings from which guard.sarif (with summary.md, unless begun early) is written by a forked child


class Outputs:
    """A run's output files in `out`: guard.sarif, findings.json, summary.md and controls.json.

    For a large run, `begin` has a forked child make guard.sarif as soon as the run is settled (its
    findings, waived findings and scanner runs final: what SARIF holds), while this process computes
    control status and the gate; `write` then writes the other files and puts guard.sarif in place. Nothing
    appears in `out` before `write`: `discard` removes a guard.sarif begun for a run that then failed.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._sarif: forked.Pending[Path] | None = None

    def begin(self, settled: RunResult) -> None:
        """Start guard.sarif for a settled run (`pipeline.judge`'s `settled`), if it is large enough to pay."""
        if self._sarif is None and len(settled.findings) >= FORK_AT and forked.CAN_FORK:
            path = self.out / "guard.sarif"
            self._sarif = forked.start(lambda: write_aside(path, sarif_bytes(settled)), fork=True)

    def write(self, run: RunResult) -> list[Path]:
        """Write every output file of the finished run into `out`; each file appears whole or not at all.

        A large run's guard.sarif, unless begun, is made by a forked child with summary.md, beside findings.json.
        """
        from guard.report import jsonfile, markdown

        self.out.mkdir(parents=True, exist_ok=True)
        sarif, findings, summary = self.out / "guard.sarif", self.out / "findings.json", self.out / "summary.md"
        written = [sarif, findings, summary]
        begun, self._sarif = self._sarif, None

        def sarif_and_summary() -> None:
            atomic_write(sarif, sarif_bytes(run))
            atomic_write(summary, markdown.render(run))

        with collector_paused():
            beside = None if begun is not None else forked.start(sarif_and_summary, fork=len(run.findings) >= FORK_AT)
            try:
                jsonfile.dump(findings, run)
                if run.controls:
                    controls = self.out / "controls.json"
                    jsonfile.dump_controls(controls, run)
                    written.append(controls)
                if begun is not None:
                    atomic_write(summary, markdown.render(run))
                    put_in_place(begun.result(), sarif)
                if beside is not None:
                    beside.result()
            except BaseException:  # (interrupted, say): what the children do or did is of no use now
                if beside is not None:
                    beside.close()
                    _remove_asides(self.out, beside)
                _discard(begun, self.out)
                raise
        return written

    def discard(self) -> None:
        """Wait for a guard.sarif begun for a run that will not be written, and remove it."""
        begun, self._sarif = self._sarif, None
        _discard(begun, self.out)


def _discard(begun: forked.Pending[Path] | None, out: Path) -> None:
    """Wait for a guard.sarif begun aside and remove it (or what its child, stopped, left)."""
    if begun is not None:
        try:
            begun.result().unlink(missing_ok=True)
        except Exception:  # noqa: BLE001 - the child failed (it removed its own file) or was stopped
            _remove_asides(out, begun)


def _remove_asides(out: Path, pending: forked.Pending[Any]) -> None:
    """The files the children of `pending` began in `out` and did not put in place (a child stopped mid-write)."""
    for pid in pending.pids:
        for aside in asides_of(out, pid):
            aside.unlink(missing_ok=True)


def sarif_bytes(run: RunResult) -> bytes:
    """guard.sarif's content: the copy for GitHub (see `guard.sarif.write.build`), lines read under the run's target."""
    from guard.sarif import write as sarif_write

    return sarif_write.dumps(sarif_write.build(run, Path(run.target), for_github=True))


def write_outputs(run: RunResult, out: Path) -> list[Path]:
    """Write every output file of a finished run into `out` (`Outputs`, nothing begun early)."""
    return Outputs(out).write(run)


def render_text(run: RunResult, fmt: str) -> str:
    from guard.report import jsonfile, markdown

    if fmt == "sarif":
        return sarif_bytes(run).decode("utf-8")
    if fmt == "json":
        return json.dumps(jsonfile.to_dict(run), indent=2, default=str)
    return markdown.render(run)
