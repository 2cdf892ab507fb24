"""zizmor leaves out an input that is not valid YAML or not a valid workflow, with only a warning on its
log: guard reports each such input as not audited instead of as audited with nothing found."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.zizmor import ZizmorScanner
from guard.tools.envs import resolve
from tests.conftest import scanned

pytestmark = pytest.mark.skipif(resolve("zizmor") is None, reason="zizmor not installed")
INJECTION = ("on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
             "      - run: echo \"${{ github.event.issue.title }}\"\n")


def test_inputs_zizmor_left_out_are_reported_not_audited(tmp_path: Path) -> None:
    run = scanned(ZizmorScanner, tmp_path, {
        ".github/workflows/ok.yml": INJECTION,
        ".github/workflows/broken.yml": "on: push\njobs:\n  a:\n    steps: [\n",
        ".github/workflows/misspelt.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n"
                                          "      - run: echo hi\n"})
    assert {f.location.path for f in run.findings if f.rule_id == "zizmor/template-injection"} == \
        {".github/workflows/ok.yml"}
    left_out = {f.location.path: f.message for f in run.findings if f.rule_id == "zizmor/file-not-checked"}
    assert set(left_out) == {".github/workflows/broken.yml", ".github/workflows/misspelt.yml"}
    assert "does not match expected validation schema" in left_out[".github/workflows/misspelt.yml"]


def test_valid_inputs_are_all_audited(tmp_path: Path) -> None:
    run = scanned(ZizmorScanner, tmp_path, {
        ".github/workflows/ci.yml": INJECTION, "action.yml": "name: a\ndescription: b\nruns:\n  using: composite\n"
        "  steps:\n    - run: echo hi\n      shell: bash\n",
        ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
        "    schedule: {interval: weekly}\n"})
    assert not [f for f in run.findings if f.rule_id == "zizmor/file-not-checked"]


def test_a_silenced_log_reports_nothing_missing(tmp_path: Path) -> None:
    """With `-q` zizmor logs nothing, so its log cannot say what it left out: no guess either way."""
    (tmp_path / ".guard.yaml").write_text("tools:\n  zizmor: {args: [-q]}\n")
    run = scanned(ZizmorScanner, tmp_path, {".github/workflows/ok.yml": INJECTION})
    assert not [f for f in run.findings if f.rule_id == "zizmor/file-not-checked"]
    assert [f for f in run.findings if f.rule_id == "zizmor/template-injection"]
