"""`guard scan`: argument plumbing only; the work is in guard.pipeline and guard.report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guard.commands.common import EXIT_ERROR, EXIT_FAIL, EXIT_OK, fail, split_list

FORMATS = ("table", "sarif", "json", "markdown")


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--scanners", help="Comma-separated scanners to run (default: every one that applies).")
@click.option("--skip-scanners", help="Comma-separated scanners not to run.")
@click.option("--format", "formats", help=f"Comma-separated outputs: {', '.join(FORMATS)} (default: table; "
              "with --output all files are written).")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Directory for guard.sarif, findings.json, summary.md.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info"]), help="Lowest severity that fails.")
@click.option("--soft-fail", is_flag=True, default=None, help="Report policy failures without failing (exit 0).")
@click.option("--frameworks", help="Comma-separated framework ids (soc2, pci-dss, iso27001, gdpr).")
@click.option("--timeout", type=float, help="Per-scanner timeout in seconds.")
@click.option("--jobs", type=int, help="Scanners run at once (default: CPU cores).")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: .guard.yaml in PATH).")
@click.option("--no-cache", is_flag=True, help="Run every scanner even if its inputs are unchanged.")
@click.option("--quiet", "-q", is_flag=True, help="No progress or table output.")
def scan(path: Path, scanners: str | None, skip_scanners: str | None, formats: str | None, output: Path | None,
         fail_on: str | None, soft_fail: bool | None, frameworks: str | None, timeout: float | None,
         jobs: int | None, config_file: Path | None, no_cache: bool, quiet: bool) -> None:
    """Scan PATH with every applicable scanner, then gate on --fail-on."""
    from rich.console import Console

    from guard import config as config_mod
    from guard import pipeline
    from guard.commands.outputs import write_outputs
    from guard.report import terminal

    console = Console(stderr=True, quiet=quiet)
    flags = {"scanners": split_list(scanners), "skip_scanners": split_list(skip_scanners), "fail_on": fail_on,
             "soft_fail": soft_fail, "frameworks": split_list(frameworks), "timeout": timeout, "jobs": jobs,
             "formats": split_list(formats), "cache": False if no_cache else None}
    try:
        cfg = config_mod.load(path, config_file, flags=flags)
        for fmt in cfg.formats:
            if fmt not in FORMATS:
                raise config_mod.ConfigError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        with console.status("scanning", spinner="dots") if console.is_terminal and not quiet else _Null():
            result = pipeline.run(path, cfg, progress=None)
    except (config_mod.ConfigError, pipeline.PipelineError) as exc:
        fail(str(exc))
    if output is not None:
        try:
            written = write_outputs(result, output, cfg, Path(result.target))
        except OSError as exc:
            fail(f"{output}: cannot write outputs: {exc.strerror or exc}")
        if not quiet:
            console.print("wrote " + ", ".join(str(p) for p in written))
    if "table" in cfg.formats and not quiet:
        terminal.render(result, Console(file=sys.stdout))
    for fmt in cfg.formats:
        if output is None and fmt in ("sarif", "json", "markdown"):
            from guard.commands.outputs import render_text

            click.echo(render_text(result, fmt, Path(result.target)))
    for err in result.errors:
        click.echo(f"guard: scanner {err.scanner} failed: {err.reason}", err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    if result.gate is not None and not result.gate.passed and not cfg.soft_fail:
        sys.exit(EXIT_FAIL)
    sys.exit(EXIT_OK)


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
