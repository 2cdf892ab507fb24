"""`guard resident`: this user's resident guard processes (`GUARD_RESIDENT`, the `guard-resident` hook)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from guard.resident import Unavailable, socket_path
from guard.resident.listing import Resident, failure_notes, residents, stop


class ResidentError(click.ClickException):
    exit_code = 2


def _found() -> list[Resident]:
    try:
        return residents(_this_socket())
    except Unavailable as exc:
        raise ResidentError(str(exc)) from None


def _this_socket() -> Path | None:
    """The socket this guard's resident process would use (None when it can have none)."""
    try:
        return socket_path()
    except Unavailable:
        return None


@click.group()
def resident() -> None:
    """This user's resident guard processes (each exits by itself after its idle minutes)."""


@resident.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(as_json: bool) -> None:
    """The resident processes and the sockets they listen on ("this guard": the one this guard would use)."""
    found, failed = _found(), failure_notes()
    if as_json:
        click.echo(json.dumps({"residents": [{"socket": str(r.socket), "listening": r.listening, "pid": r.pid,
                                              "this_guard": r.this_guard, "command": r.command} for r in found],
                               "failed_starts": [str(note) for note in failed]}, indent=2))
        return
    if not found:
        click.echo("no resident guard process")
    for r in found:
        state = (f"pid {r.pid}" if r.pid is not None else "listening") if r.listening else "no process (left behind)"
        click.echo(f"{r.socket}  {state}{'  (this guard)' if r.this_guard else ''}{_warm_tool(r)}")
    for note in failed:
        click.echo(f"{note}  a resident process failed to start (`guard resident stop` retries at once)")


def _warm_tool(r: Resident) -> str:
    """What a warm tool process serves (the script it forks), said beside its socket."""
    from guard.resident.tools import PREFIX

    if not r.socket.name.startswith(PREFIX) or not r.command:
        return ""
    return f"  (warm {Path(r.command.split()[-1]).name})"


@resident.command("stop")
def stop_() -> None:
    """Stop every resident process of this user, warm tool processes included (commands they are running
    finish), remove its socket, and forget failed starts."""
    found = _found()
    for r in found:
        stop(r)
    for note in failure_notes():  # the next command may start one again
        note.unlink(missing_ok=True)
    click.echo(f"stopped {sum(r.listening for r in found)} resident process(es)"
               + (f", removed {sum(not r.listening for r in found)} socket(s) left behind"
                  if any(not r.listening for r in found) else ""))
