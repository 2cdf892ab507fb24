"""A CloudFormation template whose resource Type is not a string (`Type: !Rain::Module vpc.yml`, a
template preprocessor's module) stopped checkov's whole run (TypeError), so guard exited 2 for a
repository holding one (aws-cloudformation-templates). Such a template is left out of checkov's
scan and reported as not checked; every other file is checked as before (real checkov)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard import config as config_mod
from guard.scanners.checkov import CheckovScanner, unreadable_templates
from guard.scanners.runner import run_one
from guard.tools.envs import resolve

MODULE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Network:
    Type: !Rain::Module ../modules/vpc.yml
  Logs:
    Type: AWS::S3::Bucket
"""
PLAIN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
"""
JSON_MODULE = '{"Resources": {"Storage": {"Type": {"Rain::Module": "bucket.yml"}}}}\n'


def test_templates_checkov_stops_on_are_found_with_their_line(tmp_path: Path) -> None:
    files = {"a.yaml": MODULE, "b.yaml": PLAIN, "c.json": JSON_MODULE, "k8s.yaml": "kind: Pod\nType: !x y\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert unreadable_templates(tmp_path, sorted(files)) == {"a.yaml": 4, "c.json": 1}  # k8s.yaml: no template


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install checkov)")
def test_checkov_checks_the_other_templates_and_reports_the_one_left_out(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "network.yaml").write_text(MODULE)
    (tmp_path / "stacks" / "data.yaml").write_text(PLAIN)
    cfg = config_mod.load(tmp_path, flags={"cache": False})
    files = ["stacks/data.yaml", "stacks/network.yaml"]
    run = run_one(CheckovScanner(cfg), tmp_path, files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    left_out = [(f.location.path, f.location.start_line, f.severity.value) for f in run.findings
                if f.rule_id == "checkov/template-not-checked"]
    assert left_out == [("stacks/network.yaml", 4, "low")]
    assert {f.location.path for f in run.findings if f.rule_id.startswith("CKV")} == {"stacks/data.yaml"}
