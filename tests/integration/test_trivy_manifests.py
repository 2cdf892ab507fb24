"""trivy leaves out a Kubernetes manifest its YAML parser rejects (a key given twice: kubernetes/examples
holds nine such) without a word; guard reports each as not checked. Kustomizations, tool configs with
an apiVersion (kind's cluster config) and Helm templates are no manifests trivy reads as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.trivy import TrivyScanner
from guard.tools.envs import resolve
from tests.conftest import scanned

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n"


@pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed")
def test_a_manifest_trivy_could_not_read_is_reported_not_checked(tmp_path: Path) -> None:
    run = scanned(TrivyScanner, tmp_path, {
        "k8s/pod.yaml": POD,
        "k8s/claim.yaml": "kind: PersistentVolumeClaim\napiVersion: v1\nmetadata:\n  name: data\nspec:\n"
                          "  storageClassName: small\n  resources:\n    requests:\n      storage: 1Gi\n"
                          "  storageClassName: small\n",
        "k8s/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                  "metadata:\n  name: app\nresources:\n- pod.yaml\n",
        "ci/kind.yaml": "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
        "chart/templates/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n"})
    gaps = [f for f in run.findings if f.rule_id == "trivy/file-not-checked"]
    assert [f.location.path for f in gaps] == ["k8s/claim.yaml"]
    assert gaps[0].severity.value == "low" and "a key given twice" in gaps[0].message
    assert any(f.location.path == "k8s/pod.yaml" for f in run.findings if f.rule_id.startswith("KSV"))
