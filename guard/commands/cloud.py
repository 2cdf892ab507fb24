"""`guard cloud aws`: live AWS posture as findings, controls and evidence."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from guard.commands.common import EXIT_ERROR, EXIT_FAIL, EXIT_OK, fail, split_list

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from guard.config import Config
    from guard.model import RunResult


@click.group()
def cloud() -> None:
    """Collect live cloud posture as findings."""


@cloud.command()
@click.option("--profile", help="AWS profile (default: the standard credential chain).")
@click.option("--regions", help="Comma-separated regions (default: every region enabled for the account).")
@click.option("--role-arn", "role_arns", multiple=True, help="Assume this role and assess its account (repeatable).")
@click.option("--external-id", help="External id for --role-arn.")
@click.option("--endpoint-url", help="Send every AWS call to this endpoint (testing against moto or LocalStack).")
@click.option("--services", help="Comma-separated services to collect (default: all).")
@click.option("--frameworks", help="Comma-separated framework ids (soc2, pci-dss, iso27001, gdpr).")
@click.option("--output", type=click.Path(path_type=Path), help="Write findings.json, controls.json, summary.md, "
              "resources.json and raw/ (every API response) here.")
@click.option("--evidence", help="Store a signed evidence bundle in DIR or s3://BUCKET/PREFIX.")
@click.option("--evidence-key", type=click.Path(path_type=Path), help="Ed25519 private key (PEM) to sign the bundle "
              "(default: GUARD_EVIDENCE_KEY / GUARD_EVIDENCE_KEY_FILE; unsigned without).")
@click.option("--evidence-endpoint-url", help="S3 endpoint for an s3:// evidence store.")
@click.option("--allow-partial", is_flag=True, help="Exit 0/1 by findings even if some checks could not be assessed.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info"]))
@click.option("--soft-fail", is_flag=True, default=None, help="Report findings without failing (exit 0).")
@click.option("--jobs", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent collection tasks.")
@click.option("--max-attempts", type=click.IntRange(1, 20), default=8, show_default=True,
              help="Attempts per AWS call (botocore adaptive retries).")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: .guard.yaml here).")
def aws(profile: str | None, regions: str | None, role_arns: tuple[str, ...], external_id: str | None,
        endpoint_url: str | None, services: str | None, frameworks: str | None, output: Path | None,
        evidence: str | None, evidence_key: Path | None, evidence_endpoint_url: str | None, allow_partial: bool,
        fail_on: str | None, soft_fail: bool | None, jobs: int, max_attempts: int, config_file: Path | None) -> None:
    """Assess an AWS account: collectors keep every API response as evidence, Rego policies judge the
    normalized resources, results map to controls. Checks that could not run (access denied, region
    not enabled, throttling) are "not assessed", and the run exits 2 unless --allow-partial."""
    from guard import config as config_mod
    from guard.cloud.aws import AwsOptions, assess
    from guard.cloud.session import CloudError
    from guard.compliance.controls import evaluate
    from guard.compliance.frameworks import FrameworkError, frameworks_for_config
    from guard.policy.base import PolicyError

    options = AwsOptions(profile=profile, regions=tuple(split_list(regions) or ()) or None, role_arns=role_arns,
                         external_id=external_id, endpoint_url=endpoint_url,
                         services=tuple(split_list(services) or ()) or None, max_workers=jobs, max_attempts=max_attempts)
    work = Path(tempfile.mkdtemp(prefix="guard-cloud-"))
    raw_root = (output / "raw") if output else work / "raw"
    try:
        flags = {"fail_on": fail_on, "soft_fail": soft_fail, "frameworks": split_list(frameworks)}
        cfg = config_mod.load(Path.cwd(), config_file, flags=flags)
        base = Path(cfg.source).parent if cfg.source else Path.cwd()
        fws = frameworks_for_config(cfg.frameworks, cfg.framework_paths, base)
        key = _signing_key(evidence_key) if evidence else None
        if output and raw_root.exists():
            shutil.rmtree(raw_root)
        result, collection = assess(options, cfg, raw_root, base=base)
        result = replace(result, controls=tuple(evaluate(fws, result.findings, result.waived, result.scanners,
                                                         cfg.manual_controls, date.today(), root=base)))
        if output:
            _write(output, result, collection.resources)
        if evidence:
            click.echo(f"guard: evidence stored at {_store(result, cfg, base, evidence, key, evidence_endpoint_url)}",
                       err=True)
    except (config_mod.ConfigError, FrameworkError, CloudError, PolicyError) as exc:
        fail(str(exc))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _print(result)
    if result.errors and not allow_partial:
        sys.exit(EXIT_ERROR)
    blocking = result.gate is not None and bool(result.gate.blocking)
    sys.exit(EXIT_FAIL if blocking and not cfg.soft_fail else EXIT_OK)


def _write(out: Path, result: RunResult, resources: list[dict[str, Any]]) -> None:
    from guard.atomic import atomic_write
    from guard.report import jsonfile, markdown

    out.mkdir(parents=True, exist_ok=True)
    jsonfile.dump(out / "findings.json", result)
    jsonfile.dump_controls(out / "controls.json", result)
    atomic_write(out / "summary.md", markdown.render(result))
    atomic_write(out / "resources.json", json.dumps({"resources": resources}, indent=1, sort_keys=True))


def _signing_key(path: Path | None) -> Ed25519PrivateKey | None:
    """The bundle's signing key, read before any AWS call so a bad key fails fast."""
    from guard.evidence.signing import SigningError, private_key_from

    try:
        return private_key_from(path)
    except SigningError as exc:
        fail(f"evidence: {exc}")


def _store(result: RunResult, cfg: Config, base: Path, destination: str, key: Ed25519PrivateKey | None,
           endpoint_url: str | None) -> str:
    from guard.evidence.bundle import EvidenceError, store_run
    from guard.evidence.ledger import LedgerError
    from guard.evidence.signing import SigningError
    from guard.evidence.store import StoreError

    try:
        return store_run(result, cfg, base, destination, key=key, endpoint_url=endpoint_url)
    except (EvidenceError, StoreError, LedgerError, SigningError) as exc:
        fail(f"evidence: {exc}")


def _print(result: RunResult) -> None:
    from collections import Counter

    from guard.model import ControlStatus

    for f in sorted(result.findings, key=lambda f: (-f.severity.rank, f.rule_id, f.resource or "")):
        controls = " ".join(f"{fw}:{c}" for fw, ids in sorted(f.controls.items()) for c in ids)
        click.echo(f"{f.severity.value:8} {f.rule_id:20} {f.resource}  {f.message}  [{controls}]")
    for s in result.errors:
        click.echo(f"not assessed: {s.scanner}: {s.reason}", err=True)
    for fw in sorted({c.framework for c in result.controls}):
        counts = Counter(c.status for c in result.controls if c.framework == fw)
        failed = [c.control_id for c in result.controls if c.framework == fw and c.status is ControlStatus.FAILED]
        click.echo(f"{fw}: {counts[ControlStatus.FAILED]} failed, {counts[ControlStatus.PASSED]} passed, "
                   f"{counts[ControlStatus.NOT_ASSESSED]} not assessed" + (f" (failed: {', '.join(failed)})" if failed else ""))
    cloud = result.properties.get("cloud", {})
    click.echo(f"{len(result.findings)} finding(s) on {cloud.get('resources', 0)} resource(s) in "
               f"{', '.join(cloud.get('accounts', []))}; {cloud.get('raw_files', 0)} raw response file(s)", err=True)
