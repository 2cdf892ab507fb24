"""`guard cache`: how much the result caches hold, and pruning them to their budget."""

from __future__ import annotations

import json
from collections import Counter

import click

from guard.cache_budget import PARTS, BudgetError, Pruned, clear, entries, max_bytes, prune
from guard.paths import cache_dir


class CacheError(click.ClickException):
    exit_code = 2


def _budget(max_mb: float | None) -> int:
    if max_mb is not None:
        if max_mb < 0:
            raise CacheError("--max-mb must not be negative")
        return int(max_mb * 1024 * 1024)
    try:
        return max_bytes()
    except BudgetError as exc:
        raise CacheError(str(exc)) from None


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


@click.group()
def cache() -> None:
    """Inspect and prune the result caches (tool environments and advisories are not part of them)."""


@cache.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def info(as_json: bool) -> None:
    """Entries and size of each cache, and the budget ($GUARD_CACHE_MAX_MB)."""
    root = cache_dir()
    found = entries(root)
    count, size = Counter(e.part for e in found), Counter()
    for e in found:
        size[e.part] += e.size
    budget = _budget(None)
    if as_json:
        click.echo(json.dumps({"path": str(root), "budget_bytes": budget, "parts": {
            p: {"entries": count[p], "bytes": size[p]} for p in PARTS}}, indent=2))
        return
    click.echo(f"cache:  {root}")
    for part in PARTS:
        click.echo(f"  {part:15} {count[part]:7} entries  {_mb(size[part]):>10}")
    click.echo(f"  {'total':15} {len(found):7} entries  {_mb(sum(size.values())):>10}  (budget {_mb(budget)})")


@cache.command("prune")
@click.option("--max-mb", type=float, help="Budget for this prune (default: $GUARD_CACHE_MAX_MB or 2048).")
def prune_(max_mb: float | None) -> None:
    """Remove least recently used entries beyond the budget (entries used within the hour stay)."""
    _report(prune(cache_dir(), _budget(max_mb)))


@cache.command("clear")
def clear_() -> None:
    """Remove every entry of the result caches."""
    _report(clear(cache_dir()))


def _report(done: Pruned) -> None:
    click.echo(f"removed {done.removed} entries ({_mb(done.freed)}); {_mb(done.kept)} left")
