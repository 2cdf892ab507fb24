"""`guard db`: import the offline OSV advisory database and show what is in it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from guard.advisories.store import AdvisoryStore, StoreError, StoreStatus, location
from guard.config import ConfigError, load


class DbError(click.ClickException):
    exit_code = 2


def _store(db: str | None) -> AdvisoryStore:
    if db:
        return AdvisoryStore(Path(db))
    try:
        config = load(Path.cwd())
    except ConfigError as exc:
        raise DbError(str(exc)) from None
    return AdvisoryStore(location(config))


@click.group()
def db() -> None:
    """Import and inspect the offline advisory database (OSV format)."""


@db.command("import")
@click.argument("sources", nargs=-1, required=True)
@click.option("--db", "db_dir", metavar="DIR", help="Store directory (default: advisories.db or the cache folder).")
@click.option("--append", is_flag=True, help="Keep the advisories already imported and add these.")
def import_(sources: tuple[str, ...], db_dir: str | None, append: bool) -> None:
    """Import OSV advisories from directories, all.zip archives or http(s) URLs of all.zip.

    The store is replaced atomically: if anything fails, the previous database stays in use.
    """
    store = _store(db_dir)
    try:
        status = store.import_sources(list(sources), append=append)
    except StoreError as exc:
        raise DbError(str(exc)) from None
    click.echo(f"imported {sum(s.records for s in status.sources[-len(sources):])} records "
               f"in {status.seconds:.1f}s into {status.path}")
    _print(status)


@db.command()
@click.option("--db", "db_dir", metavar="DIR", help="Store directory (default: advisories.db or the cache folder).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(db_dir: str | None, as_json: bool) -> None:
    """Show the store's sources, import time, age and advisory counts per ecosystem."""
    store = _store(db_dir)
    try:
        result = store.status()
    except StoreError as exc:
        raise DbError(str(exc)) from None
    if as_json:
        click.echo(json.dumps({
            "path": str(result.path),
            "imported_at": result.imported_at.isoformat(),
            "age_days": round(result.age_days(), 2),
            "advisories": result.advisories,
            "withdrawn": result.withdrawn,
            "per_ecosystem": result.per_ecosystem,
            "newest_modified": result.newest_modified,
            "sources": [
                {"source": s.source, "imported_at": s.imported_at, "records": s.records} for s in result.sources
            ],
        }, indent=2))
        return
    _print(result)


def _print(result: StoreStatus) -> None:
    click.echo(f"database:    {result.path}")
    click.echo(f"imported:    {result.imported_at.isoformat(timespec='seconds')} ({result.age_days():.1f} days ago)")
    click.echo(f"advisories:  {result.advisories} ({result.withdrawn} withdrawn)")
    click.echo(f"newest data: {result.newest_modified or '-'}")
    for ecosystem, count in result.per_ecosystem.items():
        click.echo(f"  {ecosystem}: {count}")
    for source in result.sources:
        click.echo(f"source:      {source.source} ({source.records} records, {source.imported_at})")
