"""`guard frameworks list | show F | coverage`: the catalogs and how much guard checks automatically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from guard.commands.common import fail, split_list, stdout_console


def _context(config_file: Path | None) -> tuple[Any, Path]:
    from guard import config as config_mod

    try:
        cfg = config_mod.load(Path.cwd(), config_file)
    except config_mod.ConfigError as exc:
        fail(str(exc))
    return cfg, (Path(cfg.source).parent if cfg.source else Path.cwd())


_config_option = click.option("--config", "config_file", type=click.Path(path_type=Path),
                              help="Config file (default: .guard.yaml here); its framework_paths add catalogs.")
_format_option = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)


@click.group()
def frameworks() -> None:
    """Compliance frameworks: list, show, coverage."""


@frameworks.command("list")
@_config_option
@_format_option
def list_(config_file: Path | None, fmt: str) -> None:
    """Every framework guard knows (built-in and from framework_paths)."""
    import json

    from guard.compliance import render
    from guard.compliance.frameworks import FrameworkError, available_frameworks

    cfg, base = _context(config_file)
    try:
        found = list(available_frameworks([base / p for p in cfg.framework_paths]).values())
    except FrameworkError as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps([{"id": f.id, "name": f.name, "version": f.version, "controls": len(f.controls),
                                "catalog": f.path, "builtin": f.builtin} for f in found], indent=2))
    else:
        render.frameworks_table(found, stdout_console())


@frameworks.command("show")
@click.argument("framework_id")
@_config_option
@_format_option
def show(framework_id: str, config_file: Path | None, fmt: str) -> None:
    """The controls of FRAMEWORK_ID with the built-in checks that assess each."""
    from guard.compliance import render
    from guard.compliance.coverage import builtin_checks, coverage
    from guard.compliance.frameworks import FrameworkError, frameworks_for_config
    from guard.policy.base import PolicyError

    cfg, base = _context(config_file)
    try:
        (framework,) = frameworks_for_config([framework_id], cfg.framework_paths, base)
        (cov,) = coverage([framework], builtin_checks())
    except (FrameworkError, PolicyError) as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(render.framework_json(framework, cov.covered), nl=False)
    else:
        render.framework_table(framework, cov.covered, stdout_console())


@frameworks.command("coverage")
@click.option("--framework", "-f", "framework_ids", help="Comma-separated framework ids (default: the config's frameworks).")
@_config_option
@_format_option
def coverage_(framework_ids: str | None, config_file: Path | None, fmt: str) -> None:
    """Per framework: controls that at least one of guard's built-in checks assesses."""
    from guard.compliance import render
    from guard.compliance.coverage import builtin_checks, coverage
    from guard.compliance.frameworks import FrameworkError, frameworks_for_config
    from guard.policy.base import PolicyError

    cfg, base = _context(config_file)
    try:
        selected = frameworks_for_config(split_list(framework_ids) or cfg.frameworks, cfg.framework_paths, base)
        results = coverage(selected, builtin_checks())
    except (FrameworkError, PolicyError) as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(render.coverage_json(results), nl=False)
    else:
        render.coverage_table(results, stdout_console())
