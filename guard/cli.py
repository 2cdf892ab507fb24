"""The `guard` command line: a click group whose subcommands load lazily (fast `--help`).

Each subcommand lives in `guard/commands/<name>.py`; this module only wires names to them.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import signal
import sys

import click

from guard import __version__

# command name -> "module:attribute" of the click command or group
COMMANDS: dict[str, str] = {
    "scan": "guard.commands.scan:scan",
    "import": "guard.commands.import_sarif:import_sarif",
    "tools": "guard.commands.tools:tools",
    "db": "guard.commands.db:db",
    "cache": "guard.commands.cache:cache",
    "policy": "guard.commands.policy:policy",
    "controls": "guard.commands.controls:controls",
    "frameworks": "guard.commands.frameworks:frameworks",
    "baseline": "guard.commands.baseline:baseline",
    "evidence": "guard.commands.evidence:evidence",
    "cloud": "guard.commands.cloud:cloud",
    "resident": "guard.commands.resident:resident",
}

HELP = {
    "scan": "Scan a repository: scanners, policies, controls, gate.",
    "import": "Ingest other tools' SARIF through the same pipeline.",
    "tools": "Install and list the pinned scanner environments.",
    "db": "Import and inspect the offline advisory database.",
    "cache": "Inspect and prune the result caches.",
    "policy": "Test and evaluate Rego and Python policies.",
    "controls": "Per-control compliance status.",
    "frameworks": "Compliance frameworks: list, show, coverage.",
    "baseline": "Create or update the findings baseline.",
    "evidence": "Evidence bundles: keygen, verify, export.",
    "cloud": "Collect live cloud posture as findings.",
    "resident": "Show or stop the resident guard processes.",
}


GC_THRESHOLD = (100_000, 50, 100)  # see main()


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(name: str) -> bool:
    module = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guard")
def cli() -> None:
    """guard: policy-as-code security and compliance scanner.

    Exit codes: 0 passed, 1 policy failure, 2 usage, config or tool error.
    """


EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C (not 1: that is a policy failure)


def main() -> None:
    # A scan allocates many small objects that live to the end of the run; collecting the young
    # generation less often halves the time of large runs (100k findings) and changes nothing else.
    gc.set_threshold(*GC_THRESHOLD)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)  # ended like Ctrl-C: the running tools are stopped too
    try:
        os.getcwd()
    except OSError as exc:
        click.echo(f"guard: no working folder (removed?): {exc.strerror}", err=True)
        sys.exit(2)
    try:
        code = cli.main(prog_name="guard", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("guard: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # an internal error must never read as "policy failure" (exit 1)
        import traceback

        traceback.print_exc()
        click.echo(f"guard: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def _interrupt(_signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM: the processes guard forked end now (a policy evaluation in one takes no signal
    until it returns), then the run unwinds (stopping the tools it runs)."""
    from guard import forked

    forked.stop_children()
    raise KeyboardInterrupt
