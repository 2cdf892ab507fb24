"""zizmor leaves out an input that is not valid YAML or not a valid workflow, with only a warning on its
log: guard reports each such input as not audited instead of as audited with nothing found."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.zizmor import AUDITS, ZizmorScanner
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


def test_every_audit_reported_is_one_guard_knows(tmp_path: Path) -> None:
    """Findings of zizmor 1.32's newer audits (an ad-hoc `npm install -g`, an action the runner already
    covers) carry their own title and weakness, as the older ones do."""
    workflow = ("on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: npm install -g @angular/cli\n"
                "      - uses: softprops/action-gh-release@da05d552573ad5aba039eaac05058a918a7bf631 # v2.2.2\n")
    run = scanned(ZizmorScanner, tmp_path, {".github/workflows/release.yml": workflow})
    audits = {f.rule.name for f in run.findings}
    assert {"adhoc-packages", "superfluous-actions"} <= audits
    assert audits <= set(AUDITS)
    adhoc = next(f for f in run.findings if f.rule.name == "adhoc-packages")
    assert adhoc.rule.short_description == "adhoc-packages: ad-hoc installation of packages"
    assert adhoc.cwe == ("CWE-1357",)
