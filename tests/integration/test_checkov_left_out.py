"""checkov's Kubernetes runner leaves out a manifest it cannot read as YAML, or one without `metadata`, naming it
nowhere (not among its parsing errors): guard reports such a file as not checked, from the real checkov's
output. A kind guard counts on (`CHECKED_KINDS`) is one checkov reports results for even in its smallest form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from guard.config import Config
from guard.scanners.checkov import CHECKED_KINDS, CheckovScanner
from guard.scanners.runner import run_one
from guard.tools.envs import resolve
from tests.conftest import write_files

pytestmark = pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install)")
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: c\n      image: nginx\n"
TEMPLATE = "spec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: nginx\n"


def smallest(kind: str) -> str:
    """A manifest of `kind` with nothing more than its kind needs."""
    job = TEMPLATE.replace("\n", "\n    ").rstrip() + "\n"
    workloads = {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job"}
    body = {"Pod": "spec:\n  containers:\n    - name: c\n      image: nginx\n",
            "CronJob": 'spec:\n  schedule: "* * * * *"\n  jobTemplate:\n    ' + job}.get(
        kind, TEMPLATE if kind in workloads else "data: {}\n")
    return f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: x\n{body}"


def test_manifests_checkov_left_out_without_a_word_are_not_checked_findings(tmp_path: Path) -> None:
    files = {
        "ok.yaml": POD,
        "tabs.yaml": POD + '      args: ["a",\t"b"]\n',  # a tab where YAML allows none
        "no-metadata.yaml": POD.replace("metadata:\n  name: web\n", ""),
        "two.yaml": POD + "---\n" + POD.replace("web", "db") + "  bad: [unclosed\n",  # the valid first one too
        "namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",  # no check reads one
        "values.yaml": "kind: Pod\nreplicas: 2\n",  # no apiVersion: no manifest
        "pod.json": json.dumps(yaml.safe_load(POD)),
        "pod-no-metadata.json": json.dumps({k: v for k, v in yaml.safe_load(POD).items() if k != "metadata"}),
        "pod-broken.json": json.dumps(yaml.safe_load(POD))[:-1],
        "arm.json": json.dumps({"resources": [{"apiVersion": "2023-01-01", "kind": "Secret", "name": "x"}]}),
        **{f"kinds/{kind}.yaml": smallest(kind) for kind in sorted(CHECKED_KINDS)},
    }
    root = write_files(tmp_path / "repo", files)
    cfg = Config()
    run = run_one(CheckovScanner(cfg), root, sorted(files), tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    left_out = {f.location.path: f.message for f in run.findings
                if f.rule_id == "checkov/file-not-checked" and f.location is not None}
    assert set(left_out) == {"tabs.yaml", "no-metadata.yaml", "two.yaml", "pod-no-metadata.json", "pod-broken.json"}
    assert "left out the Pod in it" in left_out["two.yaml"]
    checked = {f.location.path for f in run.findings if f.location is not None and f.rule_id.startswith("CKV")}
    assert {"ok.yaml", "pod.json"} <= checked
