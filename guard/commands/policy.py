"""`guard policy test [DIR]` and `guard policy eval --input findings.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from guard.config import ConfigError, PolicySettings
from guard.config import load as load_config
from guard.policy.base import PolicyContext, PolicyError
from guard.policy.loader import ENGINES, builtin_dir, load_engine, load_pack, make_engine
from guard.policy.runner import evaluate_pack, findings_input
from guard.policy.testing import load_for_tests, run_tests


@click.group()
def policy() -> None:
    """Test and evaluate Rego and Python policies."""


@policy.command("test")
@click.argument("directory", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--engine", type=click.Choice(ENGINES), default="regorus", show_default=True)
@click.option("--opa-url", help="OPA server URL (engine opa-server).")
@click.option("-q", "--quiet", is_flag=True, help="Print failures and the summary only.")
def test_cmd(directory: Path | None, engine: str, opa_url: str | None, quiet: bool) -> None:
    """Run every test_* rule and Python policy test in DIR (default: the built-in pack)."""
    try:
        root = directory or builtin_dir()
        eng = make_engine(engine, PolicySettings(), opa_url)
        try:
            pack = load_for_tests([root], eng)
            results = run_tests(pack, eng)
        finally:
            eng.close()
    except PolicyError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for r in results:
        if not r.passed or not quiet:
            click.echo(f"{'PASS' if r.passed else 'FAIL'} {r.name} ({r.source}){' ' + r.detail if r.detail else ''}")
    failed = sum(not r.passed for r in results)
    policies = len(pack.policies) + len(pack.python)
    click.echo(f"{len(results) - failed}/{len(results)} tests passed, {policies} policies, engine {engine}")
    if not results:
        click.echo("error: no tests found", err=True)
        sys.exit(2)
    sys.exit(1 if failed else 0)


@policy.command("eval")
@click.option("--input", "input_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="findings.json written by `guard scan --output` (or a JSON list of findings).")
@click.option("--engine", type=click.Choice(ENGINES), help="Default: policies.engine from config.")
@click.option("--opa-url", help="OPA server URL (engine opa-server).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--changed-file", "changed", multiple=True, help="Treat only these paths as changed.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def eval_cmd(input_file: Path, engine: str | None, opa_url: str | None, config_file: Path | None,
             changed: tuple[str, ...], fmt: str) -> None:
    """Evaluate finding policies over saved findings, without scanning. Exit 1 on violations."""
    try:
        config = load_config(Path.cwd(), explicit=config_file)
        findings = _read_findings(input_file)
        settings = config.policies
        from guard.policy.loader import data_files, policy_dirs, settings_base
        base = settings_base(config, Path.cwd())
        pack = load_pack(policy_dirs(settings, base), data_files(settings, base))
        eng = make_engine(engine or settings.engine, settings, opa_url)
        try:
            load_engine(pack, eng)
            context = PolicyContext(repo=str(Path.cwd().name), branch=None, changed_files=changed or None,
                                    frameworks=tuple(config.frameworks), fail_on=config.fail_on)
            run = evaluate_pack(pack, eng, {"findings": {"findings": findings, "context": context.as_input()}})
        finally:
            eng.close()
    except (PolicyError, ConfigError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps([{"policy": v.policy, "severity": v.severity.value, "message": v.message,
                                "fingerprint": v.fingerprint, "controls": {k: list(c) for k, c in v.controls.items()}}
                               for v in run.violations], indent=2))
    else:
        for v in run.violations:
            controls = " ".join(f"{fw}:{c}" for fw, ids in sorted(v.controls.items()) for c in ids)
            click.echo(f"{v.severity.value.upper():8} {v.policy:15} {v.message}  [{controls}]")
        click.echo(f"{len(run.violations)} violations from {len(run.checks)} finding policies")
    sys.exit(1 if run.violations else 0)


def _read_findings(path: Path) -> list[dict]:
    """Findings as policy input: accepts a list, or an object with a `findings` list."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    items = doc.get("findings") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PolicyError(f"{path}: expected a list of findings (or an object with `findings`)")
    return [_normalize(i) for i in items]


def _normalize(item: dict) -> dict:
    """Accept both the policy-input shape and the nested shape of findings.json."""
    location = item.get("location") or {}
    rule = item["rule"] if isinstance(item.get("rule"), dict) else {}  # findings.json 2 names rules by index
    return {
        "tool": item.get("tool"),
        "rule_id": item.get("rule_id") or rule.get("id"),
        "title": item.get("title") or rule.get("short_description"),
        "severity": item.get("severity"),
        "category": item.get("category"),
        "path": item.get("path", location.get("path")),
        "line": item.get("line", location.get("start_line")),
        "fingerprint": item.get("fingerprint"),
        "cwe": item.get("cwe") or [],
        "aliases": item.get("aliases") or [],
        "properties": item.get("properties") or {},
        "found_by": item.get("found_by") or [],
    }


__all__ = ["policy", "findings_input"]
