"""`guard controls`: per-control compliance status from a saved run (findings.json)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from guard.commands.common import EXIT_OK, fail, split_list, stdout_console

FORMATS = ("table", "json", "csv", "markdown")


@click.command()
@click.option("--framework", "-f", "framework_ids", help="Comma-separated framework ids (default: the config's frameworks).")
@click.option("--from", "source", type=click.Path(path_type=Path), default=Path("findings.json"), show_default=True,
              help="findings.json written by `guard scan --output DIR`.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: .guard.yaml here).")
def controls(framework_ids: str | None, source: Path, fmt: str, config_file: Path | None) -> None:
    """Status of every control: failed, passed, not assessed or manual, with the checks behind it."""
    from guard import config as config_mod
    from guard.compliance import render
    from guard.compliance.controls import evaluate
    from guard.compliance.frameworks import FrameworkError, frameworks_for_config
    from guard.pipeline import violation_failures
    from guard.report.jsonfile import FindingsFileError, load_run, violations_of

    if not source.is_file():
        fail(f"{source}: no such findings file (run `guard scan --output DIR` and pass --from DIR/findings.json)")
    try:
        cfg = config_mod.load(Path.cwd(), config_file)
        base = Path(cfg.source).parent if cfg.source else Path.cwd()
        ids = split_list(framework_ids) or cfg.frameworks
        frameworks = frameworks_for_config(ids, cfg.framework_paths, base)
        run = load_run(source)
        failures = violation_failures(violations_of(run, str(source)))  # as the scan counted them
        results = evaluate(frameworks, run.findings, run.waived, run.scanners, cfg.manual_controls, date.today(),
                           root=base, violations=failures)
    except (config_mod.ConfigError, FrameworkError, FindingsFileError) as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(render.controls_json(results, str(source)), nl=False)
    elif fmt == "csv":
        click.echo(render.controls_csv(results), nl=False)
    elif fmt == "markdown":
        click.echo(render.controls_markdown(results, frameworks))
    else:
        render.controls_table(results, frameworks, stdout_console())
    sys.exit(EXIT_OK)
