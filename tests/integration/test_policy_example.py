"""The built-in pack over examples/insecure-shop: the headline problems, with file, line and controls."""

from __future__ import annotations

import json
from pathlib import Path

from guard.config import Config
from guard.model import Category
from guard.policy.base import PolicyContext
from guard.policy.runner import run_policies

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "insecure-shop"


def test_insecure_shop_config_findings() -> None:
    files = [str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*") if p.is_file()]
    run = run_policies(Config(), EXAMPLE, files, [], PolicyContext("insecure-shop", None, None, ("soc2",), "high"))
    by = {(f.rule_id, f.location.path, f.location.start_line): f for f in run.findings}
    main_tf = (EXAMPLE / "terraform/main.tf").read_text().splitlines()
    deploy = (EXAMPLE / "k8s/deployment.yaml").read_text().splitlines()

    public = by[("GUARD-S3-002", "terraform/main.tf", 5)]
    assert "public-read" in main_tf[4] and public.controls["pci-dss"] == ("1.4.4", "7.2.1")
    ssh = by[("GUARD-NET-001", "terraform/main.tf", 29)]
    assert main_tf[28].strip() == "ingress {" and "22-22" in ssh.message and "CC6.6" in ssh.controls["soc2"]
    privileged = by[("GUARD-K8S-001", "k8s/deployment.yaml", 29)]
    assert deploy[28].strip() == "privileged: true" and privileged.controls["iso27001"] == ("A.8.2", "A.8.9")
    assert ("GUARD-DOCKER-001", "Dockerfile", 1) in by and ("GUARD-DOCKER-002", "Dockerfile", 1) in by

    for f in run.findings:
        assert f.tool == "guard-policy" and f.severity_source == "policy" and f.category is Category.IAC
        assert f.rule.controls == f.controls and f.fingerprint
    assert len({f.fingerprint for f in run.findings}) == len(run.findings)
    assert {r.id for r in run.checks} >= {"GUARD-S3-002", "GUARD-NET-001", "GUARD-K8S-001", "GUARD-GATE-002"}
    json.dumps([f.rule.controls for f in run.findings])  # controls are plain JSON for the writers
