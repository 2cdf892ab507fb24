"""Every scanner family on examples/insecure-shop, run once: families, counts vs raw output, SARIF, secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from guard import config as config_mod
from guard import pipeline
from guard.commands.outputs import write_outputs
from guard.files import list_files
from guard.tools.catalog import TOOLS
from guard.tools.envs import resolve
from tests.conftest import EXAMPLE, SHARED

SCANNERS = ["bandit", "checkov", "semgrep", "trivy", "hadolint", "zizmor", "actionlint", "detect-secrets"]
pytestmark = pytest.mark.skipif(any(resolve(TOOLS[s].name) is None for s in SCANNERS),
                                reason="scanner tools not installed (guard tools install)")

# The fake secrets planted in examples/insecure-shop (settings.py, Dockerfile, k8s, variables.tf).
PLANTED = ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
           "ghp_4xV9kQ2mZ7rT1yP8wL3nB6cD0fH5jK2sA9eG", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
           "changeme-shop-secret"]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """One full scan of the example with every G2 scanner; raw outputs kept under workroot."""
    base = tmp_path_factory.mktemp("example")
    cfg = config_mod.load(EXAMPLE, flags={"scanners": SCANNERS, "cache": False})
    result = pipeline.run(EXAMPLE, cfg, workroot=base / "raw")
    out = base / "out"
    write_outputs(result, out)
    doc = json.loads((out / "findings.json").read_text())
    return result, doc, out, base / "raw"


def seen(doc: dict) -> set[tuple[str, str]]:
    """(tool, rule) of every result: primaries, merged duplicates and waived ones."""
    pairs = set()
    for f in doc["findings"]:
        pairs.add((f["tool"], f["rule_id"]))
        pairs.update(tuple(m.split(":", 1)) for m in f["properties"].get("merged", []))
    pairs.update((w["finding"]["tool"], w["finding"]["rule_id"]) for w in doc["waived"])
    return pairs


def test_every_scanner_ran_ok_with_its_pinned_version(scanned):
    _, doc, _, _ = scanned
    runs = {s["scanner"]: s for s in doc["scanners"] if s["scanner"] in SCANNERS}
    assert set(runs) == set(SCANNERS)
    for name, run in runs.items():
        assert run["status"] == "ok", (name, run["reason"])
        assert TOOLS[name].version.startswith(run["version"]), (name, run["version"])
        assert run["files_scanned"] > 0 and run["checks"], name


EXPECTED = {
    "iac": {("checkov", "CKV_AWS_20"), ("checkov", "CKV_AWS_24"), ("checkov", "CKV_AWS_17"), ("checkov", "CKV_AWS_62"),
            ("checkov", "CKV_K8S_16"), ("trivy", "AWS-0107"), ("trivy", "AWS-0080"), ("checkov", "CKV2_GHA_1")},
    "sast": {("bandit", "B608"), ("semgrep", "guard.python.sql-injection"), ("semgrep", "guard.python.yaml-unsafe-load")},
    "secret": {("trivy", "github-pat"), ("detect-secrets", "aws-access-key"), ("detect-secrets", "private-key")},
    "container": {("hadolint", "DL3007"), ("trivy", "DS-0002"), ("trivy", "KSV-0017"), ("trivy", "KSV-0006")},
    "ci": {("zizmor", "zizmor/template-injection"), ("zizmor", "zizmor/dangerous-triggers"),
           ("zizmor", "zizmor/excessive-permissions"), ("actionlint", "actionlint/untrusted-input")},
}


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_each_family_finds_its_planted_problems(scanned, family):
    _, doc, _, _ = scanned
    missing = EXPECTED[family] - seen(doc)
    assert not missing, f"{family}: {sorted(missing)} not found"
    categories = Counter(f["category"] for f in doc["findings"])
    assert categories[family] > 0, categories


def _sarif_results(path: Path) -> int:
    return sum(len(r.get("results") or []) for r in json.loads(path.read_text())["runs"])


def raw_counts(raw: Path) -> dict[str, int]:
    """Results in each tool's own output (trivy: only for the files guard selected)."""
    files = set(list_files(EXAMPLE).files)
    trivy = json.loads((raw / "trivy" / "trivy.json").read_text())
    trivy_n = sum(len([m for m in r.get("Misconfigurations") or [] if m.get("Status") == "FAIL"]) +
                  len(r.get("Secrets") or []) for r in trivy["Results"] if r["Target"] in files)
    checkov = json.loads((raw / "checkov" / "results_json.json").read_text())
    checkov_n = sum(len(rep["results"].get("failed_checks") or []) + len(rep["results"].get("skipped_checks") or [])
                    for rep in (checkov if isinstance(checkov, list) else [checkov]) if "results" in rep)
    secrets = json.loads((raw / "detect-secrets" / "stdout").read_text())["results"]
    return {
        "bandit": _sarif_results(raw / "bandit" / "bandit.sarif"),
        "semgrep": _sarif_results(raw / "semgrep" / "stdout"),
        "checkov": checkov_n,
        "trivy": trivy_n,
        "hadolint": _sarif_results(raw / "hadolint" / "stdout"),
        "zizmor": _sarif_results(raw / "zizmor" / "stdout"),
        "actionlint": len(json.loads((raw / "actionlint" / "stdout").read_text())),
        "detect-secrets": sum(len(v) for v in secrets.values()),
    }


def test_findings_per_tool_equal_raw_output_minus_merged_duplicates(scanned):
    _, doc, _, raw = scanned
    raw_n = raw_counts(raw)
    primary = Counter(f["tool"] for f in doc["findings"])
    waived = Counter(w["finding"]["tool"] for w in doc["waived"])
    merged_away = Counter(m.split(":", 1)[0] for f in doc["findings"] for m in f["properties"].get("merged", []))
    per_scanner = {s["scanner"]: s["findings"] for s in doc["scanners"]}
    for tool in SCANNERS:
        assert raw_n[tool] > 0, tool
        assert per_scanner[tool] == raw_n[tool], tool
        assert primary[tool] == raw_n[tool] - merged_away[tool] - waived[tool], (tool, raw_n[tool], merged_away[tool])
    assert sum(merged_away.values()) > 0  # cross-tool duplicates exist on the example and were merged


def test_merged_findings_list_every_tool_that_found_them(scanned):
    _, doc, _, _ = scanned
    merged = [f for f in doc["findings"] if len(f["found_by"]) > 1]
    assert merged
    for f in merged:
        assert f["tool"] in f["found_by"]
        assert sorted(m.split(":", 1)[0] for m in f["properties"]["merged"]) == sorted(
            t for t in f["found_by"] if t != f["tool"])
    pairs = {frozenset(f["found_by"]) for f in merged}
    assert any({"checkov", "trivy"} <= p for p in pairs)  # same misconfiguration from two IaC tools


def test_severities_come_from_tools_or_guard_tables_and_are_not_all_the_same(scanned):
    _, doc, _, _ = scanned
    checkov = [f for f in doc["findings"] if f["tool"] == "checkov"]
    assert {f["severity_source"] for f in checkov} <= {"guard-override", "guard-keyword", "guard-category"}
    assert len({f["severity"] for f in checkov}) >= 3
    assert all(f["cwe"] for f in doc["findings"] if f["category"] == "secret")
    result = scanned[0]
    (run,) = [r for r in result.scanners if r.scanner == "checkov"]
    open_ssh = [f for f in run.findings if f.rule_id == "CKV_AWS_24"]
    assert open_ssh and open_ssh[0].severity.value == "high" and "CWE-284" in open_ssh[0].cwe


def test_sarif_with_all_scanners_is_valid(scanned):
    _, doc, out, _ = scanned
    sarif = json.loads((out / "guard.sarif").read_text())
    assert set(SCANNERS) <= {r["tool"]["driver"]["name"] for r in sarif["runs"]}
    proc = subprocess.run([sys.executable, str(SHARED / "tools" / "sarif-validate"), str(out / "guard.sarif")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_planted_secrets_never_reach_the_outputs(scanned):
    _, _, out, _ = scanned
    for name in ("guard.sarif", "findings.json", "summary.md"):
        text = (out / name).read_text()
        for secret in PLANTED:
            assert secret not in text, (name, secret[:6])
    assert "[redacted:sha256:" in (out / "findings.json").read_text()


@pytest.mark.parametrize("selected, expected", [
    (["shop/settings.py"], "shop/settings.py"),
    (["Dockerfile"], "Dockerfile"),
    (["shop/settings.py", "shop/app.py"], "shop/settings.py"),
    (["terraform/main.tf", "terraform/variables.tf"], "terraform/main.tf"),
    (["shop/settings.py", "terraform/main.tf"], "terraform/main.tf"),
])
def test_trivy_scan_of_selected_files_reports_repo_paths(tmp_path, selected, expected):
    """One file is scanned as a file, files of one folder through that folder, others through the
    tree: the findings name repo paths of the selected files."""
    from guard.scanners.runner import run_one
    from guard.scanners.trivy import TrivyScanner

    cfg = config_mod.load(EXAMPLE, flags={"cache": False})
    run = run_one(TrivyScanner(cfg), EXAMPLE, selected, tmp_path / "trivy", cfg)
    assert run.status.value == "ok", run.reason
    paths = {f.location.path for f in run.findings}
    assert expected in paths and paths <= set(selected)
