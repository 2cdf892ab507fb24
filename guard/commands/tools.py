"""`guard tools install | list`: the pinned, isolated scanner environments."""

from __future__ import annotations

import click

from guard.commands.common import fail


@click.group()
def tools() -> None:
    """Pinned scanner environments (one virtual environment per tool, from lock files)."""


@tools.command("install")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even if already installed.")
@click.option("--jobs", type=int, default=3, show_default=True, help="Environments built at once.")
def install(names: tuple[str, ...], force: bool, jobs: int) -> None:
    """Install NAMES (default: every tool guard knows)."""
    from concurrent.futures import ThreadPoolExecutor

    from guard.tools.catalog import TOOLS
    from guard.tools.envs import ToolInstallError
    from guard.tools.envs import install as do_install

    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        fail(f"unknown tool(s): {', '.join(unknown)} (known: {', '.join(sorted(TOOLS))})")
    specs = [TOOLS[n] for n in names or tuple(TOOLS)]

    def one(spec):  # type: ignore[no-untyped-def]
        try:
            return spec, str(do_install(spec, force=force)), None
        except ToolInstallError as exc:
            return spec, None, str(exc)

    failures = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for spec, path, error in pool.map(one, specs):
            if error:
                failures.append(error)
                click.echo(f"{spec.name} {spec.version}: FAILED: {error}", err=True)
            else:
                click.echo(f"{spec.name} {spec.version}: {path}")
    if failures:
        fail(f"{len(failures)} tool environment(s) failed to install")


@tools.command("list")
def list_tools() -> None:
    """Show each tool: pinned version, where it resolves, installed or not."""
    from guard.tools.catalog import TOOLS
    from guard.tools.envs import resolve

    for spec in TOOLS.values():
        found = resolve(spec.name)
        where = f"{found.executable} ({found.origin})" if found else "not installed"
        click.echo(f"{spec.name:<15} {spec.package}=={spec.version:<12} {where}")
