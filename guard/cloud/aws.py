"""`guard cloud aws` as a function: collect -> normalize -> cloud policies -> findings per service.

Results are one ScannerRun per service ("aws-iam", "aws-s3", ...): status ERROR with the reasons
when any of its account/region tasks failed (its checks then count for nothing, so the controls
they map to are "not assessed" unless another check covers them), findings as tool "aws" with
`resource` = the ARN and no file location.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import boto3

from guard import __version__
from guard.cloud.collect import Collection, collect, resources_document
from guard.cloud.collectors.base import Resource
from guard.cloud.session import open_accounts
from guard.config import Config
from guard.model import Category, Finding, Rule, RunResult, ScannerRun, Status
from guard.pipeline import gate
from guard.policy.loader import Pack, data_files, load_engine, load_pack, make_engine, policy_dirs
from guard.policy.metadata import RegoModule
from guard.policy.runner import evaluate_pack

TOOL = "aws"
PACKAGE_PREFIX = "guard.cloud.aws."


@dataclass(frozen=True)
class AwsOptions:
    profile: str | None = None
    regions: tuple[str, ...] | None = None
    role_arns: tuple[str, ...] = ()
    external_id: str | None = None
    endpoint_url: str | None = None
    services: tuple[str, ...] | None = None
    max_workers: int = 8
    max_attempts: int = 8
    home_region: str = "us-east-1"


def assess(options: AwsOptions, config: Config, raw_root: Path, *, base: Path,
           clock: Callable[[], dt.datetime] | None = None) -> tuple[RunResult, Collection]:
    """Collect the accounts' posture into `raw_root` and judge it with the cloud policies.

    Returns the run (no controls yet: the caller evaluates frameworks) and the collection
    (normalized resources, per-task outcomes, raw files)."""
    now = clock or (lambda: dt.datetime.now(dt.timezone.utc))
    started = now()
    accounts = open_accounts(options.profile, options.role_arns, options.endpoint_url, options.max_attempts,
                             options.home_region, options.external_id)
    collection = collect(accounts, raw_root, regions=options.regions, services=options.services,
                         max_workers=options.max_workers, home_region=options.home_region)
    t0 = time.perf_counter()
    pack = load_pack(policy_dirs(config.policies, base), data_files(config.policies, base))
    engine = make_engine(config.policies.engine, config.policies)
    try:
        load_engine(pack, engine)
        judged = evaluate_pack(pack, engine, {"cloud": resources_document(collection)})
        engine_version = engine.version()
    finally:
        engine.close()
    policy_seconds = time.perf_counter() - t0
    index = {r["arn"]: r for r in collection.resources}
    findings = tuple(_as_aws(f, index) for f in judged.findings)
    runs = service_runs(collection, findings, cloud_checks(pack), f"boto3 {boto3.__version__}")
    errors = [r for r in runs if r.status is Status.ERROR]
    run = RunResult(
        target=", ".join(f"aws:{a}" for a in collection.accounts),
        started=started.isoformat(timespec="seconds"),
        finished=now().isoformat(timespec="seconds"),
        guard_version=__version__,
        scanners=tuple(runs),
        findings=findings,
        gate=gate(findings, config, errors),
        properties={"cloud": {"provider": "aws", "accounts": collection.accounts, "regions": collection.regions,
                              "resources": len(collection.resources), "raw_files": len(collection.raw_files),
                              "policy_engine": engine_version, "policy_pack": pack.version,
                              "policy_seconds": round(policy_seconds, 3),
                              "not_assessed": [{"account": o.account, "region": o.region, "service": o.service,
                                                "reason": o.reason} for o in collection.failed()]}},
    )
    return run, collection


def service_of(module: RegoModule) -> str:
    """`guard.cloud.aws.<service>.<name>` -> service; other cloud packages belong to "aws"."""
    if module.package.startswith(PACKAGE_PREFIX):
        return module.package[len(PACKAGE_PREFIX):].split(".")[0]
    return ""


def cloud_checks(pack: Pack) -> dict[str, list[Rule]]:
    """Rules of the pack's cloud policies, by service ("" for cloud policies outside guard.cloud.aws.*)."""
    out: dict[str, list[Rule]] = defaultdict(list)
    for module in pack.policies:
        if module.meta is not None and module.meta.input == "cloud":
            out[service_of(module)].append(module.meta.rule())
    for policy in pack.python:
        if policy.meta.input == "cloud":
            out[""].append(policy.meta.rule())
    return out


def service_runs(collection: Collection, findings: Sequence[Finding], checks: dict[str, list[Rule]],
                 version: str) -> list[ScannerRun]:
    services = list(dict.fromkeys(o.service for o in collection.outcomes))
    rule_service = {r.id: s for s, rules in checks.items() for r in rules}
    runs = []
    for service in services:
        mine = [o for o in collection.outcomes if o.service == service]
        failed = [o for o in mine if not o.ok]
        raw = [str(p) for p in collection.raw_files if p.relative_to(collection.raw_root).parts[3:4] == (service,)]
        runs.append(ScannerRun(
            scanner=f"aws-{service}", category=Category.CLOUD, status=Status.ERROR if failed else Status.OK,
            version=version, reason="; ".join(o.reason for o in failed),
            findings=tuple(f for f in findings if rule_service.get(f.rule_id) == service),
            seconds=round(sum(o.seconds for o in mine), 3), raw_outputs=tuple(sorted(raw)),
            checks=tuple(checks.get(service, ())),
        ))
    if checks.get(""):  # cloud policies not tied to one service: they saw everything only if nothing failed
        failed = collection.failed()
        runs.append(ScannerRun(
            scanner="aws", category=Category.CLOUD, status=Status.ERROR if failed else Status.OK, version=version,
            reason=f"{len(failed)} collection task(s) failed" if failed else "",
            findings=tuple(f for f in findings if f.rule_id not in rule_service), checks=tuple(checks[""]),
        ))
    return runs


def _as_aws(f: Finding, index: dict[str, Resource]) -> Finding:
    where = index.get(f.resource or "")
    key = f"{TOOL}|{f.rule_id}|{f.resource or ''}|{f.properties.get('key') or f.message}"
    props = {"account": where["account"], "region": where["region"], "type": where["type"]} if where else {}
    return replace(f, tool=TOOL, found_by=(TOOL,), fingerprint=hashlib.sha256(key.encode()).hexdigest()[:32],
                   properties={**f.properties, **props})

