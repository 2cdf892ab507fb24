"""Inline `trivy:ignore` comments: guard waives exactly what trivy itself drops, and lists it.

The ground truth is trivy run on the original files (it applies the comments itself); guard runs
trivy on copies with the comments inert and applies them, so each covered finding becomes a
visible inline waiver instead of vanishing.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from guard import config as config_mod
from guard.pipeline import apply_inline_waivers
from guard.scanners.runner import run_one
from guard.scanners.trivy import OFFLINE, TrivyScanner, not_from_repo
from guard.scanners.trivy_ignore import covering, enclosing_starts, neutralized, rules
from guard.tools.envs import resolve
from tests.conftest import run_guard, write_files

TRIVY = resolve("trivy")
needs_trivy = pytest.mark.skipif(TRIVY is None, reason="trivy not installed (guard tools install trivy)")

TERRAFORM = """resource "aws_s3_bucket" "a" {
  bucket = "a"
}

#trivy:ignore:AVD-AWS-0086
#trivy:ignore:aws-s3-block-public-policy
resource "aws_s3_bucket_public_access_block" "a" {
  bucket                  = aws_s3_bucket.a.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false # trivy:ignore:AWS-0091
  restrict_public_buckets = false # trivy:ignore:AWS-0093:exp:2000-01-01
}

resource "aws_security_group" "open" {
  description = "open"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # trivy:ignore:*
  }
}

resource "aws_db_instance" "db" {
  # trivy:ignore:AWS-0080[storage_encrypted=false]
  storage_encrypted = false
}
"""
DOCKERFILE = "FROM python:3.12\n# trivy:ignore:DS002\nUSER root\n"
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # trivy:ignore:AVD-AWS-0086
  # tfsec:ignore:AWS-0087:exp:2999-01-01
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data
"""
FILES = {"infra/main.tf": TERRAFORM, "Dockerfile": DOCKERFILE, "cfn/storage.yaml": TEMPLATE}


def tree(root: Path) -> Path:
    return write_files(root, FILES)


def trivy_reports(root: Path, out: Path) -> set[tuple[str, str, int]]:
    """What trivy itself reports on the original files, applying the comments."""
    assert TRIVY is not None
    subprocess.run([TRIVY.executable, "fs", "--scanners", "misconfig", *OFFLINE, *not_from_repo([]), "--quiet",
                    "--format", "json", "-o", str(out), str(root)], check=True, capture_output=True, timeout=600)
    doc = json.loads(out.read_text())
    return {(r["Target"], m["ID"], (m.get("CauseMetadata") or {}).get("StartLine") or 1)
            for r in doc.get("Results") or [] for m in r.get("Misconfigurations") or [] if m.get("Status") == "FAIL"}


@needs_trivy
def test_guard_waives_what_trivy_drops_and_reports_the_rest(tmp_path: Path) -> None:
    root = tree(tmp_path / "repo")
    cfg = config_mod.load(root, flags={"cache": False, "scanners": ["trivy"]})
    run = run_one(TrivyScanner(cfg), root, sorted(FILES), tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    misconfigs = [f for f in run.findings if "misconfiguration" in f.rule.tags]
    active, waived = apply_inline_waivers(misconfigs, cfg, dt.date(2026, 11, 29))
    seen = {(f.location.path, f.rule_id, f.location.start_line) for f in active}
    conditional = {f for f in seen if f[1] == "AWS-0080"}  # guard does not evaluate parameters: reported
    assert conditional
    assert seen - conditional == trivy_reports(root, tmp_path / "trivy.json") - conditional
    reasons = {(f.location.path, f.rule_id): w.reason for f, w in waived}
    assert {("infra/main.tf", "AWS-0086"), ("infra/main.tf", "AWS-0087"), ("infra/main.tf", "AWS-0091"),
            ("Dockerfile", "DS-0002"), ("cfn/storage.yaml", "AWS-0086"),
            ("cfn/storage.yaml", "AWS-0087")} <= set(reasons)
    assert reasons[("Dockerfile", "DS-0002")] == "trivy:ignore:DS002 (line 2)"
    assert any(r == "infra/main.tf" and rid.startswith("AWS-01") for r, rid in reasons)  # the `*` on the ingress
    assert ("infra/main.tf", "AWS-0093") not in reasons  # expired in 2000: reported, as trivy does
    assert {w.expires for (f, w) in waived
            if f.location.path == "cfn/storage.yaml" and f.rule_id == "AWS-0087"} == {"2999-01-01"}
    assert "trivy:ignore" in (root / "infra" / "main.tf").read_text()  # the repository is untouched


@needs_trivy
def test_forbid_inline_above_refuses_a_trivy_ignore(tmp_path: Path) -> None:
    root = tree(tmp_path / "repo")
    (root / ".guard.yaml").write_text("waivers:\n  forbid_inline_above: medium\n")
    cfg = config_mod.load(root, flags={"cache": False})
    run = run_one(TrivyScanner(cfg), root, ["Dockerfile"], tmp_path / "work", cfg)
    active, waived = apply_inline_waivers(run.findings, cfg, dt.date(2026, 11, 29))
    assert "DS-0002" in {f.rule_id for f in active}  # high: the comment is not honoured
    assert "DS-0002" not in {f.rule_id for f, _ in waived}


def test_rules_are_read_as_trivy_reads_them() -> None:
    text = ("a = 1\n# trivy:ignore:A-1\n  #tfsec:ignore:B-2:exp:2030-01-02\nresource {\n"
            "  x = 1 // trivy:ignore:C-3[k=v]\n}\n")
    found = rules(text)
    assert [(r.line, r.covers, r.check, r.expires, r.conditional) for r in found] == [
        (2, 3, "A-1", None, False), (3, 3, "B-2", "2030-01-02", False), (5, 5, "C-3", None, True)]
    assert rules("# trivy:ignore:X:exp:soon\n")[0].expires == "0001-01-01"  # unreadable date: expired
    trailing = rules("a = 1 # trivy:ignore:A\n\t# trivy:ignore:B\nb = 2\n")
    assert [(r.check, r.covers, r.alone) for r in trailing] == [("A", 1, False), ("B", 2, True)]
    assert rules("# trivy:exp:2030-01-01\n# see trivy:docs\n") == []  # no ignore section
    inert = neutralized(text)
    assert rules(inert) == [] and len(inert) == len(text) and inert.count("\n") == text.count("\n")


def test_a_rule_covers_its_line_and_the_next_and_enclosing_blocks() -> None:
    lines = ['resource "x" "y" {', "  block {", "    attr = 1", "  }", "}"]
    assert enclosing_starts(lines, 3, yaml=False) == [3, 2, 1]
    assert enclosing_starts(["Resources:", "  Data:", "    Type: X"], 3, yaml=True) == [3, 2]
    found = rules("# trivy:ignore:AWS-0086\n")
    assert covering(found, "AWS-0086", [2]) and covering(found, "AWS-0086", [1])
    assert covering(found, "AWS-0086", [3]) is None and covering(found, "AWS-0087", [2]) is None
    assert covering(rules("# trivy:ignore:aws-s3-block-public-acls\n"), "AWS-0086", [2])  # its long id


@needs_trivy
def test_a_scan_lists_what_a_trivy_ignore_comment_covers(tmp_path: Path) -> None:
    """End to end: the covered finding is in findings.json's waivers, with the comment as the reason."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "Dockerfile").write_text(DOCKERFILE)
    proc = run_guard("scan", str(root), "--scanners", "trivy", "--output", str(tmp_path / "out"), "--quiet",
                     "--soft-fail", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "findings.json").read_text())
    [entry] = [w for w in doc["waived"] if w["finding"]["rule_id"] == "DS-0002"]
    assert entry["waiver"]["reason"] == "trivy:ignore:DS002 (line 2)" and entry["waiver"]["source"] == "inline"
    assert "DS-0002" not in {f["rule_id"] for f in doc["findings"]}
