"""Run every collector for every account and region in a bounded thread pool, then normalize.

One task is (account, region, collector); global collectors (IAM, S3) run once per account. A
task either finishes (its raw responses are normalized into resources) or fails with a reason
(access denied, throttled after retries, region not enabled...); failed tasks yield no resources,
so their checks can be reported "not assessed" instead of passing on missing data.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from guard.cloud.collectors import all_collectors
from guard.cloud.collectors.base import GLOBAL, Api, Collector, CollectError, Resource
from guard.cloud.raw import RawStore
from guard.cloud.regions import plan_regions
from guard.cloud.session import Account, CloudError


@dataclass(frozen=True)
class Outcome:
    account: str
    region: str
    service: str
    ok: bool
    reason: str = ""
    seconds: float = 0.0


@dataclass
class Collection:
    accounts: list[str]
    regions: dict[str, list[str]]
    outcomes: list[Outcome]
    resources: list[Resource]
    raw_root: Path
    raw_files: list[Path] = field(default_factory=list)

    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


def select(services: Sequence[str] | None) -> list[Collector]:
    known = all_collectors()
    if not services:
        return list(known.values())
    unknown = [s for s in services if s not in known]
    if unknown:
        raise CloudError(f"unknown service(s) {', '.join(unknown)} (known: {', '.join(known)})")
    return [known[s] for s in services]


def collect(accounts: Sequence[Account], raw_root: Path, *, regions: tuple[str, ...] | None = None,
            services: Sequence[str] | None = None, max_workers: int = 8, home_region: str = "us-east-1") -> Collection:
    collectors = select(services)
    store = RawStore(raw_root)
    tasks: list[tuple[Account, str, Collector]] = []
    outcomes: list[Outcome] = []
    assessed: dict[str, list[str]] = {}
    for account in accounts:
        plan = plan_regions(account, regions, home_region)
        assessed[account.id] = list(plan.enabled)
        for c in collectors:
            if c.scope == GLOBAL:
                tasks.append((account, GLOBAL, c))
                continue
            tasks += [(account, r, c) for r in plan.enabled]
            outcomes += [Outcome(account.id, r, c.service, False, why) for r, why in plan.disabled.items()]

    def run(task: tuple[Account, str, Collector]) -> Outcome:
        account, region, c = task
        started = time.perf_counter()
        try:
            c.collect(Api(account, region, c.service, store, home_region))
        except CollectError as exc:
            return Outcome(account.id, region, c.service, False, str(exc), time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - any collector crash is a failed task, never a pass
            return Outcome(account.id, region, c.service, False, f"{c.service} in {region}: {type(exc).__name__}: {exc}",
                           time.perf_counter() - started)
        return Outcome(account.id, region, c.service, True, "", time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="guard-cloud") as pool:
        outcomes += list(pool.map(run, tasks))
    by_service = {c.service: c for c in collectors}
    resources: list[Resource] = []
    for o in outcomes:
        if o.ok:
            resources += by_service[o.service].normalize(store.view(o.account, o.region, o.service), o.account, o.region)
    resources.sort(key=lambda r: (r["account"], r["type"], r["arn"]))
    return Collection([a.id for a in accounts], assessed, outcomes, resources, raw_root, list(store.files))


def resources_document(collection: Collection) -> dict[str, Any]:
    """The cloud policies' input: {"resources": [...]}."""
    return {"resources": collection.resources}
