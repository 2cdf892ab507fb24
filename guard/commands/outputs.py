"""Writing a run's outputs: guard.sarif, findings.json, summary.md (and what later stages add)."""

from __future__ import annotations

import json
from pathlib import Path

from guard import forked
from guard.atomic import atomic_write
from guard.config import Config
from guard.gcpause import collector_paused
from guard.model import RunResult
from guard.report import jsonfile, markdown
from guard.sarif import write as sarif_write


FORK_AT = 5_000  # findings from which guard.sarif and summary.md are written by a forked child beside the others


def write_outputs(run: RunResult, out: Path, config: Config, root: Path) -> list[Path]:
    """Write every output file into `out`; each file is written atomically.

    For a large run guard.sarif and summary.md are made on a second core (a forked child) while this
    process writes findings.json and controls.json: about half of the CPU time each.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "guard.sarif", out / "findings.json", out / "summary.md"]

    def write_sarif_and_summary() -> None:
        sarif_write.write(written[0], run, root, for_github=True)
        atomic_write(written[2], markdown.render(run))

    with collector_paused():
        beside = forked.start(write_sarif_and_summary, fork=len(run.findings) >= FORK_AT)
        try:
            jsonfile.dump(written[1], run)
            if run.controls:
                controls = out / "controls.json"
                jsonfile.dump_controls(controls, run)
                written.append(controls)
        finally:
            beside.result()
    return written


def render_text(run: RunResult, fmt: str, root: Path) -> str:
    if fmt == "sarif":
        return sarif_write.dumps(sarif_write.build(run, root, for_github=True)).decode("utf-8")
    if fmt == "json":
        return json.dumps(jsonfile.to_dict(run), indent=2, default=str)
    return markdown.render(run)
