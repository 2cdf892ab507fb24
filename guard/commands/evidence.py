"""`guard evidence`: keygen, verify, export (argument plumbing; the work is in guard.evidence)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guard.commands.common import EXIT_FAIL, EXIT_OK, fail


@click.group()
def evidence() -> None:
    """Evidence bundles: keygen, verify, export."""


@evidence.command()
@click.option("--out", "prefix", required=True, type=click.Path(path_type=Path),
              help="Writes PREFIX.key (private, mode 0600) and PREFIX.pub.")
def keygen(prefix: Path) -> None:
    """Create an Ed25519 signing key pair."""
    from guard.evidence.signing import SigningError, key_id, keygen as make, load_public_key

    try:
        private, public = make(prefix)
    except SigningError as exc:
        fail(str(exc))
    click.echo(f"wrote {private} and {public} (key id {key_id(load_public_key(public))})")


@evidence.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--key", "pubkey", type=click.Path(path_type=Path), help="Public key the bundle must be signed with.")
def verify(bundle: Path, pubkey: Path | None) -> None:
    """Verify a run bundle or period export (directory, .tar.gz or .zip).

    Exit 0 valid, 1 invalid (each problem is printed), 2 unreadable input.
    """
    from guard.evidence.signing import SigningError, load_public_key
    from guard.evidence.verify import UnreadableBundle, verify as run_verify

    try:
        trusted = load_public_key(pubkey) if pubkey else None
        report = run_verify(bundle, trusted)
    except (SigningError, UnreadableBundle) as exc:
        fail(str(exc))
    for problem in report.problems:
        click.echo(f"FAIL {problem}")
    for note in report.notes:
        click.echo(f"note {note}")
    if not report.valid:
        click.echo(f"{bundle}: INVALID ({len(report.problems)} problem(s))")
        sys.exit(EXIT_FAIL)
    how = f"signed by key {report.key_id}" if report.signed else "UNSIGNED"
    click.echo(f"{bundle}: valid {report.kind} bundle, {how}")
    sys.exit(EXIT_OK)


@evidence.command()
@click.option("--period", required=True, help="A quarter (2026Q3, SOC 2 / ISO 27001) or a month (2026-09, PCI DSS).")
@click.option("--store", required=True, help="Evidence store: DIR or s3://BUCKET/PREFIX.")
@click.option("--framework", help="Only this framework's controls (default: all).")
@click.option("--branch", help="Default branch (default: as recorded with each run).")
@click.option("--key", "key_file", type=click.Path(path_type=Path),
              help="Ed25519 private key (default: $GUARD_EVIDENCE_KEY or $GUARD_EVIDENCE_KEY_FILE; none: unsigned).")
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path), help="FILE.tar.gz or FILE.zip.")
@click.option("--endpoint-url", help="S3-compatible endpoint URL.")
def export(period: str, store: str, framework: str | None, branch: str | None, key_file: Path | None,
           output: Path, endpoint_url: str | None) -> None:
    """Assemble a period's stored runs into one signed evidence archive.

    Exit 0 written, 1 the store fails its integrity checks, 2 usage or store error.
    """
    from guard.evidence import export as exp
    from guard.evidence.bundle import EvidenceError
    from guard.evidence.signing import SigningError, private_key_from
    from guard.evidence.store import StoreError, open_store

    try:
        when = exp.parse_period(period)
        key = private_key_from(key_file)
        manifest = exp.export(open_store(store, endpoint_url=endpoint_url), when, output, framework=framework,
                              key=key, branch=branch)
    except exp.IntegrityError as exc:
        for problem in exc.problems:
            click.echo(f"FAIL {problem}", err=True)
        click.echo(f"guard: {store}: evidence store fails its integrity checks; nothing exported", err=True)
        sys.exit(EXIT_FAIL)
    except (ValueError, EvidenceError, SigningError, StoreError) as exc:
        fail(str(exc))
    signed = f"signed by key {manifest['signer']}" if manifest["signer"] else "UNSIGNED"
    click.echo(f"wrote {output}: {len(manifest['runs'])} run(s) of {when.label}, {signed}")
