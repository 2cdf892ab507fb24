"""trivy scans only the selection (and its context) when the folder it would scan holds more: a PR
changing two files of a large tree had trivy read and check every configuration file in it. The
findings in the selected files are the same either way (real trivy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard import config as config_mod
from guard.scanners.base import VIEW
from guard.scanners.runner import run_one
from guard.scanners.trivy import TrivyScanner
from guard.tools.envs import resolve

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
spec:
  selector:
    matchLabels: {app: %s}
  template:
    metadata:
      labels: {app: %s}
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
"""


@pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed (guard tools install trivy)")
def test_a_selection_in_a_larger_tree_is_scanned_alone_with_the_same_findings(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for name in ("web", "api", "jobs", "cache"):
        (root / "deploy" / name).mkdir(parents=True)
        (root / "deploy" / name / "deployment.yaml").write_text(DEPLOYMENT % (name, name, name))
    (root / "images").mkdir()
    (root / "images" / "Dockerfile").write_text("FROM python:3.12\nRUN pip install flask\n")
    cfg = config_mod.load(root, flags={"cache": False})
    everything = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    changed = ["deploy/web/deployment.yaml", "images/Dockerfile"]

    scanner = TrivyScanner(cfg)
    assert scanner.command("trivy", root, changed, tmp_path / "pr")[-1] == str(tmp_path / "pr" / VIEW)
    assert scanner.command("trivy", root, everything, tmp_path / "full")[-1] == "."  # the whole tree: no copies

    pr = run_one(TrivyScanner(cfg), root, changed, tmp_path / "pr", cfg)
    full = run_one(TrivyScanner(cfg), root, everything, tmp_path / "full", cfg)
    assert pr.status.value == "ok" and full.status.value == "ok", (pr.reason, full.reason)
    in_changed = sorted((f.location.path, f.location.start_line, f.rule_id) for f in full.findings
                        if f.location.path in changed)
    assert in_changed and {p for p, *_ in in_changed} == set(changed)
    assert sorted((f.location.path, f.location.start_line, f.rule_id) for f in pr.findings) == in_changed
