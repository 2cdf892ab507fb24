"""`guard scan`: argument plumbing only; the work is in guard.pipeline and guard.report."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click

from guard.commands.common import EXIT_ERROR, EXIT_FAIL, EXIT_OK, fail, split_list, stdout_console
from guard.model import RunResult
from guard.report.printable import printable

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from guard.config import Config
    from guard.report.progress import Callback as Progress

FORMATS = ("table", "sarif", "json", "markdown")


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--scanners", help="Comma-separated scanners to run (default: every one that applies).")
@click.option("--skip-scanners", help="Comma-separated scanners not to run.")
@click.option("--format", "formats", help=f"Comma-separated outputs: {', '.join(FORMATS)} (default: table; "
              "with --output all files are written).")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Directory for guard.sarif, findings.json, summary.md.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info"]), help="Lowest severity that fails.")
@click.option("--soft-fail", is_flag=True, default=None, help="Report policy failures without failing (exit 0).")
@click.option("--frameworks", help="Comma-separated framework ids (soc2, pci-dss, iso27001, gdpr).")
@click.option("--timeout", type=float, help="Per-scanner timeout in seconds.")
@click.option("--jobs", type=int, help="Scanners run at once (default: one per CPU core; all at once "
              "on 16 files or fewer if none starts slowly).")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: .guard.yaml in PATH).")
@click.option("--no-cache", is_flag=True, help="Run every scanner even if its inputs are unchanged.")
@click.option("--diff-base", metavar="REF", help="PR mode: only findings on lines changed since the merge base "
              "with REF fail; config, policies, waivers and baseline are read from that merge base.")
@click.option("--staged", is_flag=True, help="Scan the files staged for commit; only staged changes fail.")
@click.option("--baseline", "baseline_file", metavar="FILE", help="Baseline file, relative to PATH (default: .guard-baseline.json).")
@click.option("--comment", is_flag=True, help="Create or update the guard comment on the pull request (GitHub Actions).")
@click.option("--sarif-category", metavar="NAME", help="Prefix of SARIF automationDetails ids (one per upload).")
@click.option("--evidence", metavar="DIR|s3://BUCKET/PREFIX", help="Store a signed evidence bundle of this run there.")
@click.option("--evidence-key", type=click.Path(path_type=Path), help="Ed25519 signing key for --evidence "
              "(default: $GUARD_EVIDENCE_KEY or $GUARD_EVIDENCE_KEY_FILE; none: unsigned).")
@click.option("--quiet", "-q", is_flag=True, help="No progress or table output.")
def scan(path: Path, scanners: str | None, skip_scanners: str | None, formats: str | None, output: Path | None,
         fail_on: str | None, soft_fail: bool | None, frameworks: str | None, timeout: float | None,
         jobs: int | None, config_file: Path | None, no_cache: bool, diff_base: str | None, staged: bool,
         baseline_file: str | None, comment: bool, sarif_category: str | None, evidence: str | None,
         evidence_key: Path | None, quiet: bool) -> None:
    """Scan PATH with every applicable scanner, then gate on --fail-on."""
    from guard import config as config_mod
    from guard import diff
    from guard import pipeline

    flags = {"scanners": split_list(scanners), "skip_scanners": split_list(skip_scanners), "fail_on": fail_on,
             "soft_fail": soft_fail, "frameworks": split_list(frameworks), "timeout": timeout, "jobs": jobs,
             "formats": split_list(formats), "cache": False if no_cache else None}
    if diff_base and staged:
        fail("--diff-base and --staged cannot be used together")
    signer = _evidence_signer(evidence, evidence_key)
    index = None
    outputs = None
    if output is not None:
        from guard.commands.outputs import WRITERS, Outputs

        outputs = Outputs(output)
    try:
        changes, base, review, scanned = None, None, [], path
        if diff_base:
            changes = diff.changes_since(path, diff_base)
            base = diff.BaseTree(path, changes.base or diff_base)
            cfg = diff.config_at(base, path, config_file, flags)
            diff.refuse_tools_inside(cfg, path)
            review = changes.under(diff.control_files(cfg, baseline_file))
            cfg = diff.pin_policies(cfg, base)
        else:
            if staged:
                changes = diff.staged_changes(path)
                differing = diff.unstaged(path, changes.paths)
                if differing:  # scan what the commit holds, not the files on disk
                    index = diff.IndexTree(path)
                    scanned = index.root
                    shown = ", ".join(differing[:3]) + (f" and {len(differing) - 3} more" if len(differing) > 3 else "")
                    click.echo(printable(f"guard: {shown} changed after `git add`: scanning the staged content"),
                               err=True)
            cfg = config_mod.load(path, config_file, flags=flags)
        for fmt in cfg.formats:
            if fmt not in FORMATS:
                raise config_mod.ConfigError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        table = "table" in cfg.formats and not quiet
        # modules used after the run, imported while the tools run (rich: only a terminal shows progress)
        preload = ((list(WRITERS) if output is not None else [])
                   + (["guard.report.terminal"] if table else []))
        with _progress(not quiet and sys.stderr.isatty()) as progress:
            result = pipeline.run(scanned, cfg, progress=progress, changes=changes, base=base,
                                  baseline_path=baseline_file, needs_review=review, preload=preload,
                                  reported=path if index is not None else None,
                                  settled=outputs.begin if outputs is not None else None)
    except BaseException as exc:
        if outputs is not None:
            outputs.discard()
        if isinstance(exc, (config_mod.ConfigError, pipeline.PipelineError, diff.DiffError)):
            fail(str(exc))
        raise
    finally:
        if base is not None:
            base.close()
        if index is not None:
            index.close()
    for problem in result.properties.get("waiver_problems", []):
        click.echo(printable(f"guard: waiver ignored: {problem}"), err=True)
    for changed in result.properties.get("needs_review", []):
        click.echo(printable(f"guard: {changed} changed: it decides how changes are judged and needs review "
                             "(this run used the base commit's version)"), err=True)
    if outputs is not None:
        try:
            written = outputs.write(result)
        except OSError as exc:
            fail(f"{output}: cannot write outputs: {exc.strerror or exc}")
        if sarif_category:
            from guard.github import set_sarif_category

            set_sarif_category(output / "guard.sarif", sarif_category)
        if not quiet:
            click.echo("wrote " + ", ".join(str(p) for p in written), err=True)
    if evidence is not None:
        _store_evidence(result, cfg, evidence, signer, quiet)
    if comment or os.environ.get("GITHUB_ACTIONS") == "true":
        _github(result, comment)
    if table:
        from guard.report import terminal

        terminal.render(result, stdout_console())
    for fmt in cfg.formats:
        if output is None and fmt in ("sarif", "json", "markdown"):
            from guard.commands.outputs import render_text

            click.echo(render_text(result, fmt))
    if cfg.cache:
        _keep_cache_in_budget()
    for err in result.errors:
        click.echo(printable(f"guard: scanner {err.scanner} failed: {err.reason}"), err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    if result.gate is not None and not result.gate.passed and not cfg.soft_fail:
        sys.exit(EXIT_FAIL)
    sys.exit(EXIT_OK)


def _keep_cache_in_budget() -> None:
    """Prune the cache to its budget (at most once an hour; see guard.cache_budget)."""
    from guard.cache_budget import BudgetError, after_scan
    from guard.paths import cache_dir

    try:
        after_scan(cache_dir())
    except BudgetError as exc:
        click.echo(f"guard: cache not pruned: {exc}", err=True)


@contextlib.contextmanager
def _progress(live: bool) -> Iterator[Progress | None]:
    """The scanners' live progress on a terminal (`live`), else none."""
    if not live:
        yield None
        return
    from rich.console import Console

    from guard.report.progress import scan_progress

    with scan_progress(Console(stderr=True)) as progress:
        yield progress


def _evidence_signer(evidence: str | None, key_file: Path | None) -> Ed25519PrivateKey | None:
    """The evidence signing key, read before scanning so a bad key fails fast."""
    if evidence is None:
        return None
    from guard.evidence.signing import SigningError, private_key_from

    try:
        return private_key_from(key_file)
    except SigningError as exc:
        fail(str(exc))


def _store_evidence(result: RunResult, cfg: Config, destination: str, signer: Ed25519PrivateKey | None,
                    quiet: bool) -> None:
    """Store the run's evidence bundle (S3 endpoint: AWS_ENDPOINT_URL_S3); any failure exits 2."""
    from guard.evidence.bundle import EvidenceError, store_run
    from guard.evidence.ledger import LedgerError
    from guard.evidence.store import StoreError

    try:
        location = store_run(result, cfg, Path(result.target), destination, key=signer)
    except (EvidenceError, StoreError, LedgerError, OSError) as exc:
        fail(f"evidence not stored: {exc}")
    if not quiet:
        click.echo(f"evidence stored at {location}" + ("" if signer else " (unsigned)"), err=True)


def _github(result: RunResult, comment: bool) -> None:
    """Job summary, step outputs and annotations; with `comment`, the PR comment (a failure only warns)."""
    from guard import github
    from guard.report import markdown

    pr = None
    try:
        pr = github.pull_request_from_env()
    except github.GitHubError as exc:
        if comment:
            click.echo(f"guard: warning: cannot comment: {exc}", err=True)
    summary = markdown.render(result, link_base=pr.link_base if pr else None)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github.publish_step(result, summary):
            click.echo(line)
    if comment and pr is not None:
        try:
            action, number = github.upsert_comment(pr, summary)
            click.echo(f"guard: {action} PR comment {number}", err=True)
        except github.GitHubError as exc:
            hint = " (read-only token, e.g. a pull request from a fork: summary and annotations only)" \
                if exc.status in (401, 403, 404) else ""
            click.echo(f"guard: warning: cannot comment: {exc}{hint}", err=True)
