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
def install(names: tuple[str, ...], force: bool) -> None:
    """Install NAMES (default: every tool guard knows)."""
    from guard.tools.catalog import TOOLS
    from guard.tools.envs import ToolInstallError
    from guard.tools.envs import install as do_install

    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        fail(f"unknown tool(s): {', '.join(unknown)} (known: {', '.join(sorted(TOOLS))})")
    for name in names or tuple(TOOLS):
        spec = TOOLS[name]
        click.echo(f"installing {spec.name} {spec.version} ...", err=True)
        try:
            path = do_install(spec, force=force)
        except ToolInstallError as exc:
            fail(str(exc))
        click.echo(f"{spec.name} {spec.version}: {path}")


@tools.command("list")
def list_tools() -> None:
    """Show each tool: pinned version, where it resolves, installed or not."""
    from guard.tools.catalog import TOOLS
    from guard.tools.envs import resolve

    for spec in TOOLS.values():
        found = resolve(spec.name)
        where = f"{found.executable} ({found.origin})" if found else "not installed"
        click.echo(f"{spec.name:<15} {spec.package}=={spec.version:<12} {where}")
