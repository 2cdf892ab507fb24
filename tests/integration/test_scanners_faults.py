"""Fail closed, for every scanner: missing tool, crash, garbage output, timeout -> ERROR and exit 2 naming it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.conftest import run_guard, scannable_tree

# scanner -> (tool key in config, version line its --version prints)
SCANNERS = {
    "checkov": ("checkov", "3.3.30"),
    "semgrep": ("semgrep", "1.185.0"),
    "trivy": ("trivy", "Version: 0.76.0"),
    "trivy-image": ("trivy", "Version: 0.76.0"),
    "hadolint": ("hadolint", "Haskell Dockerfile Linter 2.15.1"),
    "zizmor": ("zizmor", "zizmor 1.32.0"),
    "actionlint": ("actionlint", "1.17.0"),
    "detect-secrets": ("detect-secrets", "1.5.0"),
}

# The body runs after the version check; OUT is whatever file/dir the tool was told to write.
FAULTS = {
    "crash": "exit 3",
    "garbage": 'echo "not json {{{"; if [ -n "$OUT" ]; then if [ -d "$OUT" ]; then echo "{{{" > "$OUT/results_json.json";'
               ' else echo "{{{" > "$OUT"; fi; fi; exit 0',
    "timeout": "sleep 30",
}


def fake_tool(tmp: Path, version: str, body: str) -> Path:
    script = tmp / "fake-tool"
    script.write_text(
        "#!/bin/sh\n"
        f'case "$1" in --version|-version|version) echo "{version}"; exit 0;; esac\n'
        'OUT=""; while [ $# -gt 0 ]; do case "$1" in -o|--output-file-path) OUT="$2";; esac; shift; done\n'
        f"{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def configure(root: Path, paths: dict[str, str], timeout: float = 20) -> None:
    tools = "".join(f"  {tool}:\n    path: {path}\n    timeout: {timeout}\n" for tool, path in paths.items())
    (root / ".guard.yaml").write_text(f"scanners: [{', '.join(sorted(SCANNERS))}]\ncache: false\ntools:\n{tools}")


def scan(root: Path, out: Path):
    proc = run_guard("scan", str(root), "-o", str(out), "-q", timeout=180)
    runs = {s["scanner"]: s for s in json.loads((out / "findings.json").read_text())["scanners"]}
    return proc, runs


def test_missing_tools_exit_2_naming_each(tmp_path: Path):
    root = scannable_tree(tmp_path / "p")
    configure(root, {tool: f"/nonexistent/bin/{tool}" for tool, _ in SCANNERS.values()})
    proc, runs = scan(root, tmp_path / "out")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    for scanner in SCANNERS:
        assert f"scanner {scanner} failed" in proc.stderr and runs[scanner]["status"] == "error", scanner
        assert "not found" in runs[scanner]["reason"], runs[scanner]["reason"]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_broken_tools_exit_2_naming_each(fault: str, tmp_path: Path):
    """Every scanner at once with a tool that crashes, prints garbage or hangs."""
    root = scannable_tree(tmp_path / "p")
    paths = {}
    for scanner, (tool, version) in SCANNERS.items():
        (tmp_path / scanner).mkdir()
        paths[tool] = str(fake_tool(tmp_path / scanner, version, FAULTS[fault]))
    configure(root, paths, timeout=1.5 if fault == "timeout" else 20)
    proc, runs = scan(root, tmp_path / "out")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    for scanner in SCANNERS:
        assert f"scanner {scanner} failed" in proc.stderr, scanner
        assert runs[scanner]["status"] == "error" and runs[scanner]["reason"], scanner
        if fault == "timeout":
            assert "timed out" in runs[scanner]["reason"], runs[scanner]["reason"]
    assert json.loads((tmp_path / "out" / "findings.json").read_text())["gate"]["passed"] is False


def test_scanner_with_nothing_to_scan_is_skipped_not_passed(tmp_path: Path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "notes.txt").write_text("nothing for IaC, CI or Dockerfile scanners here\n")
    out = tmp_path / "out"
    proc = run_guard("scan", str(root), "--scanners", "checkov,hadolint,zizmor,actionlint", "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    runs = {s["scanner"]: s for s in json.loads((out / "findings.json").read_text())["scanners"]}
    assert {runs[n]["status"] for n in ("checkov", "hadolint", "zizmor", "actionlint")} == {"skipped"}
