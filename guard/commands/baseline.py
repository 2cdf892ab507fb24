"""`guard baseline create | update`: record today's findings so only new ones fail from now on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from guard.commands.common import fail, split_list

_common = [
    click.argument("path", type=click.Path(path_type=Path), default="."),
    click.option("--file", "baseline_file", metavar="FILE",
                 help="Baseline file, relative to PATH (default: `baseline` from config, .guard-baseline.json)."),
    click.option("--scanners", help="Comma-separated scanners to run (default: every one that applies)."),
    click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file."),
]


def _options(fn: Any) -> Any:
    for decorator in reversed(_common):
        fn = decorator(fn)
    return fn


@click.group()
def baseline() -> None:
    """Create or update the findings baseline (.guard-baseline.json).

    Baselined findings are reported as existing and do not fail the gate. Entries are content
    fingerprints, so they survive lines moving; `update` only removes fixed entries unless --add.
    """


@baseline.command()
@_options
@click.option("--force", is_flag=True, help="Overwrite an existing baseline.")
def create(path: Path, baseline_file: str | None, scanners: str | None, config_file: Path | None, force: bool) -> None:
    """Scan PATH and write every current finding into the baseline."""
    from guard import baseline as bl

    target, result = _scan(path, baseline_file, scanners, config_file)
    if target.exists() and not force:
        fail(f"{target} exists; use `guard baseline update` (or --force to replace it)")
    accepted = bl.create(result.findings)
    bl.save(target, accepted)
    click.echo(f"wrote {target}: {len(accepted)} finding(s)")


@baseline.command()
@_options
@click.option("--add", is_flag=True, help="Also add findings that are not in the baseline yet.")
def update(path: Path, baseline_file: str | None, scanners: str | None, config_file: Path | None, add: bool) -> None:
    """Scan PATH and drop baseline entries that are fixed (with --add, also add new findings)."""
    from guard import baseline as bl
    from guard.model import Status

    target, result = _scan(path, baseline_file, scanners, config_file)
    try:
        old = bl.load(target)
    except bl.BaselineError as exc:
        fail(str(exc))
    ran = {s.scanner for s in result.scanners if s.status is not Status.ERROR}
    change = bl.update(old, result.findings, ran, add=add)
    bl.save(target, change.baseline)
    click.echo(f"updated {target}: {len(change.removed)} fixed entr{'y' if len(change.removed) == 1 else 'ies'} "
               f"removed, {len(change.added)} added, {len(change.baseline)} in the baseline")


def _scan(path: Path, baseline_file: str | None, scanners: str | None, config_file: Path | None) -> tuple[Path, Any]:
    """A full scan of PATH (no diff, no baseline applied); any scanner error stops here (exit 2)."""
    from guard import config as config_mod
    from guard import pipeline

    try:
        cfg = config_mod.load(path, config_file, flags={"scanners": split_list(scanners)})
        result = pipeline.run(path, cfg)
    except (config_mod.ConfigError, pipeline.PipelineError) as exc:
        fail(str(exc))
    if result.errors:
        fail("; ".join(f"scanner {e.scanner} failed: {e.reason}" for e in result.errors)
             + " (the baseline was not changed)")
    target = path / (baseline_file or cfg.baseline)  # relative to PATH, like `guard scan --baseline`
    return target, result
