"""`guard import`: SARIF from tools run here on the example and from 15 other tools' real files."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from guard.commands.import_sarif import tool_key
from tests.conftest import EXAMPLE, ROOT, SHARED, run_guard

HERE = sorted((ROOT / "tests" / "fixtures" / "sarif").glob("*-insecure-shop.sarif"))
SAMPLES = sorted((SHARED / "reference" / "sarif-samples").glob("*.sarif"))


def expected_counts(paths: list[Path]) -> Counter:
    counts: Counter = Counter()
    for path in paths:
        for run in json.loads(path.read_text(encoding="utf-8-sig"))["runs"]:
            counts[tool_key(run["tool"]["driver"]["name"])] += len(run.get("results") or [])
    return counts


def accounted(doc: dict, tools: set[str]) -> Counter:
    """Each tool's results as guard reports them: kept (possibly merged with others' results) or waived."""
    counts: Counter = Counter()
    for f in doc["findings"]:
        counts.update(t for t in f["found_by"] if t in tools)
    counts.update(w["finding"]["tool"] for w in doc["waived"] if w["finding"]["tool"] in tools)
    return counts


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SHARED / "tools" / "sarif-validate"), str(path)],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def imported_here(tmp_path_factory):
    out = tmp_path_factory.mktemp("imp")
    proc = run_guard("import", *map(str, HERE), "--root", str(EXAMPLE), "--output", str(out), "-q", cwd=ROOT)
    return proc, json.loads((out / "findings.json").read_text()), out


def test_sarif_from_four_tools_run_here_is_normalized(imported_here):
    proc, doc, _ = imported_here
    assert len(HERE) >= 3
    assert proc.returncode == 1, proc.stderr  # high findings fail the default gate
    imported = {s["scanner"] for s in doc["scanners"] if s["category"] != "policy"}  # guard's policies run too
    assert imported == {"checkov", "trivy", "hadolint", "zizmor"}
    assert accounted(doc, imported) == expected_counts(HERE)
    paths = {f["location"]["path"] for f in doc["findings"] if f["location"]}
    assert {"terraform/main.tf", "Dockerfile", "k8s/deployment.yaml", ".github/workflows/ci.yml"} <= paths
    assert all(not p.startswith("/") and (EXAMPLE / p).is_file() for p in paths)
    assert all(f["fingerprint"] for f in doc["findings"])
    categories = {s["scanner"]: s["category"] for s in doc["scanners"] if s["scanner"] in imported}
    assert categories == {"checkov": "iac", "trivy": "container", "hadolint": "container", "zizmor": "ci"}


def test_imported_sarif_output_is_valid(imported_here):
    _, _, out = imported_here
    proc = validate(out / "guard.sarif")
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_reference_samples_from_other_tools_import(tmp_path: Path):
    out = tmp_path / "out"
    proc = run_guard("import", *map(str, SAMPLES), "--root", str(tmp_path), "--output", str(out), "-q")
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads((out / "findings.json").read_text())
    expected = expected_counts(SAMPLES)
    assert accounted(doc, set(expected)) == expected
    inline = [w for w in doc["waived"] if w["finding"]["tool"] in expected]
    assert len(inline) == 15  # ESLint's 12 and the SDK sample's 3 accepted suppressions
    assert all(w["waiver"]["source"] == "inline" for w in inline)
    kinds = {s["scanner"]: s["category"] for s in doc["scanners"]}
    assert kinds["grype"] == "dependency" and kinds["snyk-iac"] == "iac" and kinds["gosec"] == "sast"
    assert validate(out / "guard.sarif").returncode == 0


def test_soft_fail_and_fail_on(imported_here, tmp_path: Path):
    hadolint = [p for p in HERE if p.name.startswith("hadolint")]
    assert run_guard("import", *map(str, hadolint), "--root", str(EXAMPLE), "-q").returncode == 0  # low/info only
    assert run_guard("import", *map(str, hadolint), "--root", str(EXAMPLE), "-q", "--fail-on", "info").returncode == 1
    assert run_guard("import", *map(str, HERE), "--root", str(EXAMPLE), "-q", "--soft-fail").returncode == 0


def test_bad_input_exits_2_naming_the_file(tmp_path: Path):
    bad = tmp_path / "broken.sarif"
    bad.write_text('{"version": "2.1.0", "runs": [')
    proc = run_guard("import", str(bad), "--root", str(tmp_path), "-q")
    assert proc.returncode == 2 and "broken.sarif" in proc.stderr
    proc = run_guard("import", str(tmp_path / "missing.sarif"), "--root", str(tmp_path), "-q")
    assert proc.returncode == 2 and "missing.sarif" in proc.stderr
    wrong = tmp_path / "old.sarif"
    wrong.write_text('{"version": "1.0.0", "runs": []}')
    proc = run_guard("import", str(wrong), "--root", str(tmp_path), "-q")
    assert proc.returncode == 2 and "old.sarif" in proc.stderr
