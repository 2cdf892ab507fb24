"""Fault matrix: every registered tool scanner x every way its tool can fail -> exit 2, named, never a pass.

One guard run per fault covers every scanner at once (each with its own fake tool, configured via
`.guard.yaml` `tools: {tool: {path, timeout}}`); the parametrized cases then check each scanner's
entry in that run's findings.json and evidence bundle. The fake tool answers the version probe and
writes its fault wherever the scanner module tells the real tool to write (`-o FILE`,
`--output-file-path DIR` for checkov, stdout for the rest).
"""

from __future__ import annotations

import json
import resource
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guard.scanners.base import OUTPUT_LIMIT, all_scanner_classes
from tests.hardening.helpers import assert_no_crash, findings_doc, guard

# version line each tool's `--version` prints (the version probe must succeed for a real run)
VERSIONS = {
    "bandit": "bandit 1.9.4", "checkov": "3.3.30", "semgrep": "1.185.0", "trivy": "Version: 0.76.0",
    "hadolint": "Haskell Dockerfile Linter 2.15.1", "zizmor": "zizmor 1.32.0", "actionlint": "1.17.0",
    "detect-secrets": "1.5.0",
}

CLASSES = all_scanner_classes()
TOOL_SCANNERS = sorted(n for n, c in CLASSES.items() if hasattr(c, "command"))
HUGE = OUTPUT_LIMIT + 5 * 1024 * 1024  # > 100 MB, just over guard's limit

# Valid JSON in the shape each family of formats expects at the top, with wrong types inside.
INVALID = json.dumps({
    "version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": "nope"}},
                                  "results": [{"ruleId": 5, "locations": "nope", "message": 7, "level": []}]}],
    "results": {"app.py": [{"type": 5, "line_number": "x", "hashed_secret": []}], "failed_checks": "nope"},
    "SchemaVersion": 2, "Results": [{"Target": "main.tf", "Class": "config", "Misconfigurations": "x",
                                     "Secrets": [7]}],
})

# fault -> (shell run after the version probe; words one of which the reason must contain)
FAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "missing": ("", ("not found",)),
    "crash": ("exit 3", ("exit", "no output", "empty output")),
    "killed": ("kill -9 $$", ("signal", "exit")),
    "timeout": ("sleep 30", ("timed out",)),
    "hung": ("", ("timed out",)),  # hangs in the version probe (with a child holding its pipes)
    "truncated": ("""printf '{"version": "2.1.0", "runs": [{"tool": {"driver": {"na'""", ("invalid", "cannot read", "JSON", "SARIF")),
    "not-json": ("printf 'Segmentation fault (core dumped)\\n<html>'", ("invalid", "cannot read", "JSON", "SARIF")),
    "invalid": (f"cat <<'EOF'\n{INVALID}\nEOF", ("invalid", "cannot read", "not a", "no `", "SARIF", "CycloneDX", "JSON")),
    "deep": ("head -c 200000 /dev/zero | tr '\\0' '['", ("invalid", "cannot read", "nest", "deep", "JSON", "SARIF")),
    "huge": (f"yes '{{\"k\": \"vvvvvvvvvvvvvvvv\"}}' | head -c {HUGE}", ("limit",)),
    "encoding": ("printf '\\377\\376{\\000\"\\000v\\000\"\\000:\\0001\\000}\\000'", ("UTF-8",)),
}


def fake_tool(path: Path, version: str, body: str, hang_version: bool) -> Path:
    probe = "sleep 300 & wait; " if hang_version else ""
    path.write_text(
        "#!/bin/sh\n"
        f'case "$1" in --version|-version|version) {probe}echo "{version}"; exit 0;; esac\n'
        'OUT=""\n'
        'while [ $# -gt 0 ]; do case "$1" in -o|--output-file-path) OUT="$2";; esac; shift; done\n'
        'if [ -n "$OUT" ]; then [ -d "$OUT" ] && OUT="$OUT/results_json.json"; exec >"$OUT"; fi\n'
        f"{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def project(root: Path) -> Path:
    """A tree every tool scanner has something to scan in."""
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "app.py").write_text("import os\nos.system(input())\n")
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (root / "Dockerfile").write_text("FROM python:3.12\nRUN echo hi\n")
    (root / "shop.image.tar").write_bytes(b"not really an image")
    (root / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n")
    return root


def configure(root: Path, bins: Path, fault: str) -> None:
    body, _ = FAULTS[fault]
    timeout = 2 if fault in ("timeout", "hung") else 60
    tools = []
    for tool, version in VERSIONS.items():
        path = (Path("/nonexistent/bin") / tool if fault == "missing"
                else fake_tool(bins / tool, version, body, hang_version=fault == "hung"))
        tools.append(f"  {tool}:\n    path: {path}\n    timeout: {timeout}\n")
    (root / ".guard.yaml").write_text(
        f"scanners: [{', '.join(TOOL_SCANNERS)}]\ncache: false\njobs: {len(TOOL_SCANNERS)}\n"
        f"tools:\n{''.join(tools)}")


def measured_guard(args: list[str], home: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run guard under a small parent that reports the peak RSS (KiB) of guard and its children."""
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:])\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
            "sys.exit(p.returncode)\n")
    proc = guard("--version", home=home)  # warm the byte-code cache outside the measurement
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "guard", *args], capture_output=True,
                          text=True, errors="replace", timeout=300, check=False,
                          env={**__import__("os").environ, "TMPDIR": str(home / "tmp"),
                               "GUARD_CACHE_DIR": str(home / "cache")})
    *rest, rss = proc.stderr.rstrip("\n").rsplit("\n", 1)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, "\n".join(rest)), int(rss)


_RUNS: dict[str, tuple[subprocess.CompletedProcess[str], dict, dict, int]] = {}


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    def get(fault: str):
        if fault not in _RUNS:
            home = tmp_path_factory.mktemp(f"fault-{fault}")
            root = project(home / "p")
            bins = home / "bin"
            bins.mkdir()
            configure(root, bins, fault)
            out, evidence = home / "out", home / "evidence"
            start = time.monotonic()
            proc, rss = measured_guard(["scan", str(root), "-o", str(out), "-q", "--evidence", str(evidence)], home)
            elapsed = time.monotonic() - start
            runs = {s["scanner"]: s for s in findings_doc(out)["scanners"]} if (out / "findings.json").is_file() else {}
            manifests = [json.loads(p.read_text()) for p in evidence.glob("runs/*/manifest.json")]
            tools = {t["name"]: t for m in manifests for t in m["tools"]}
            _RUNS[fault] = (proc, runs, {"manifests": manifests, "tools": tools, "out": out, "seconds": elapsed}, rss)
            shutil.rmtree(home / "tmp", ignore_errors=True)  # guard's scratch space (huge outputs)
        return _RUNS[fault]
    yield get
    _RUNS.clear()


def test_every_registered_scanner_is_in_the_matrix():
    assert set(TOOL_SCANNERS) | {"osv"} == set(CLASSES)
    assert {CLASSES[n].tool for n in TOOL_SCANNERS} == set(VERSIONS)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_run_fails_closed(fault: str, fault_run):
    proc, runs, evidence, _ = fault_run(fault)
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    doc = findings_doc(evidence["out"])
    assert doc["gate"]["passed"] is False
    assert len(evidence["manifests"]) == 1, "the failed run's evidence bundle was not stored"
    assert evidence["manifests"][0]["gate"]["passed"] is False


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("scanner", TOOL_SCANNERS)
def test_scanner_fault_is_named(scanner: str, fault: str, fault_run):
    proc, runs, evidence, _ = fault_run(fault)
    run = runs[scanner]
    assert run["status"] == "error", run
    words = FAULTS[fault][1]
    assert any(w in run["reason"] for w in words), f"{scanner}/{fault}: reason {run['reason']!r} names none of {words}"
    assert f"scanner {scanner} failed: " in proc.stderr
    assert not run.get("findings"), "a failed scanner must not report partial findings"
    assert evidence["tools"][scanner]["status"] == "error"


def test_huge_output_is_refused_without_reading_it(fault_run):
    _, _, _, rss_crash = fault_run("crash")
    _, runs, _, rss_huge = fault_run("huge")
    assert all("limit" in runs[s]["reason"] for s in TOOL_SCANNERS)
    # nine outputs of 105 MiB each: reading even one would add over 100 MiB to guard's peak
    assert rss_huge - rss_crash < 60 * 1024, (rss_crash, rss_huge)


def test_version_probe_that_hangs_does_not_hang_guard(fault_run):
    """The probe is bounded by the tool's timeout (2 s here) and its whole process group is killed."""
    _, runs, evidence, _ = fault_run("hung")
    assert evidence["seconds"] < 30, evidence["seconds"]
    assert all("version" in runs[s]["reason"] for s in TOOL_SCANNERS)


def test_output_limit_is_documented():
    text = (Path(__file__).resolve().parents[2] / "SECURITY.md").read_text()
    assert f"{OUTPUT_LIMIT // (1024 * 1024)} MiB" in text and "GUARD_MAX_OUTPUT_MB" in text
