"""`guard import FILE.sarif...`: other tools' SARIF through guard's normalization, dedup, waivers and gate.

Each SARIF run becomes one scanner run named after its tool; paths are made relative to --root
(locations outside it are dropped, the original URI kept); in-source suppressions become inline
waivers. The result is written and gated exactly like `guard scan`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from guard.commands.common import EXIT_ERROR, EXIT_FAIL, EXIT_OK, fail, stdout_console
from guard.files import relativize
from guard.model import Category, Finding, ScannerRun, Status
from guard.sarif.read import SarifError, load, results

# tool name (lower-case, as in tool.driver.name) -> what kind of scanner it is
TOOL_CATEGORIES: dict[str, Category] = {
    "gosec": Category.SAST, "codeql": Category.SAST, "eslint": Category.SAST, "semgrep": Category.SAST,
    "bandit": Category.SAST, "sonarqube": Category.SAST, "snyk code": Category.SAST, "brakeman": Category.SAST,
    "tfsec": Category.IAC, "checkov": Category.IAC, "kics": Category.IAC, "terrascan": Category.IAC,
    "snyk iac": Category.IAC, "cfn-lint": Category.IAC, "hadolint": Category.CONTAINER,
    "grype": Category.DEPENDENCY, "trivy": Category.CONTAINER, "snyk open source": Category.DEPENDENCY,
    "osv-scanner": Category.DEPENDENCY, "dependency-check": Category.DEPENDENCY,
    "gitleaks": Category.SECRET, "trufflehog": Category.SECRET, "detect-secrets": Category.SECRET,
    "zizmor": Category.CI, "actionlint": Category.CI, "scorecard": Category.CI,
}
_VULN_PREFIXES = ("CVE-", "GHSA-", "PYSEC-", "GO-", "OSV-", "RUSTSEC-", "SNYK-")


def category_for(tool: str) -> Category:
    """Scanner kind for a SARIF producer, by its driver name (SAST when unknown)."""
    name = tool.lower()
    for key, category in TOOL_CATEGORIES.items():
        if key in name:
            return category
    return Category.SAST


def runs_from_sarif(paths: list[Path], root: Path) -> list[ScannerRun]:
    """One ScannerRun per producing tool, over every run of every file."""
    by_tool: dict[str, dict[str, Any]] = {}
    for path in paths:
        doc = load(path)
        for index, run in enumerate(doc.get("runs") or []):
            if not isinstance(run, dict):
                continue
            driver = ((run.get("tool") or {}).get("driver") or {}) if isinstance(run.get("tool"), dict) else {}
            tool_name = str(driver.get("name") or "sarif")
            category = category_for(tool_name)
            entry = by_tool.setdefault(tool_key(tool_name), {"findings": [], "version": driver.get("version") or
                                                   driver.get("semanticVersion"), "sources": [], "category": category})
            entry["sources"].append(f"{path}#runs[{index}]")
            for item in results({"runs": [run]}, root, category=category, tool=tool_key(tool_name), cwd=root):
                f = _anchor(item.finding, root)
                props = {**f.properties, "imported_from": path.name}
                if item.suppression:
                    props["inline_waiver"] = f"suppressed in {tool_name} ({item.suppression})"
                kind = Category.DEPENDENCY if _is_vuln(f) else f.category
                entry["findings"].append(replace(f, category=kind, properties=props))
    return [
        ScannerRun(scanner=name, category=entry["category"], status=Status.OK,
                   version=str(entry["version"]) if entry["version"] else None, findings=tuple(entry["findings"]),
                   files_scanned=len({f.path for f in entry["findings"] if f.path}),
                   raw_outputs=tuple(entry["sources"]))
        for name, entry in by_tool.items()
    ]


def _anchor(f: Finding, root: Path) -> Finding:
    """Locations must name a file under root (else dropped, URI kept); file-level results point at line 1."""
    loc = f.location
    if loc is None:
        return f
    if not (root / loc.path).is_file():
        again = relativize(loc.path, root, Path.cwd())  # relative to where the tool ran, not to root
        if again is None or not (root / again).is_file():
            return replace(f, location=None, properties={**f.properties, "original_uri": loc.path})
        loc = replace(loc, path=again)
        f = replace(f, location=loc)
    if not loc.start_line:
        return replace(f, location=replace(loc, start_line=1, end_line=1))
    return f


def _is_vuln(f: Finding) -> bool:
    return f.rule_id.upper().startswith(_VULN_PREFIXES)


def tool_key(name: str) -> str:
    """A SARIF driver name as a scanner name (`Snyk IaC` -> `snyk-iac`)."""
    return re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-") or "sarif"


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=".",
              help="Repository root the SARIF paths refer to (default: current directory); locations naming "
              "no file under it are dropped (their URI is kept in the finding).")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Directory for guard.sarif, findings.json, summary.md.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info"]), help="Lowest severity that fails.")
@click.option("--soft-fail", is_flag=True, default=None, help="Report policy failures without failing (exit 0).")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: .guard.yaml in --root).")
@click.option("--quiet", "-q", is_flag=True, help="No table output.")
def import_sarif(files: tuple[Path, ...], root: Path, output: Path | None, fail_on: str | None,
                 soft_fail: bool | None, config_file: Path | None, quiet: bool) -> None:
    """Ingest other tools' SARIF FILES: normalize, deduplicate, waive, gate and write outputs."""
    from guard import config as config_mod
    from guard import pipeline
    from guard.commands.outputs import Outputs
    from guard.report import terminal

    if not root.is_dir():
        fail(f"{root}: not a directory")
    outputs = Outputs(output) if output is not None else None
    try:
        cfg = config_mod.load(root, config_file, flags={"fail_on": fail_on, "soft_fail": soft_fail})
        runs = runs_from_sarif(list(files), root.resolve())
        result = pipeline.run_imported(root, runs, cfg, settled=outputs.begin if outputs is not None else None)
    except BaseException as exc:
        if outputs is not None:
            outputs.discard()
        if isinstance(exc, (SarifError, config_mod.ConfigError, pipeline.PipelineError)):
            fail(str(exc))
        raise
    if outputs is not None:
        try:
            written = outputs.write(result)
        except (OSError, ValueError) as exc:
            fail(f"{output}: cannot write outputs: {getattr(exc, 'strerror', None) or exc}")
        if not quiet:
            click.echo("wrote " + ", ".join(str(p) for p in written), err=True)
    if not quiet:
        terminal.render(result, stdout_console())
    if result.errors:
        sys.exit(EXIT_ERROR)
    if result.gate is not None and not result.gate.passed and not cfg.soft_fail:
        sys.exit(EXIT_FAIL)
    sys.exit(EXIT_OK)
