"""trivy leaves out a Kubernetes manifest its YAML parser rejects (a key given twice: kubernetes/examples
holds nine such), a Dockerfile or a CloudFormation template it cannot parse, without a word; guard reports
each as not checked. Kustomizations, tool configs with an apiVersion (kind's cluster config), Helm templates
and Dockerfiles without an instruction are none trivy checks."""

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


@pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed")
def test_a_dockerfile_or_cloudformation_template_trivy_could_not_parse_is_reported_not_checked(tmp_path: Path):
    bucket = "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n"
    run = scanned(TrivyScanner, tmp_path, {
        "ok/Dockerfile": "FROM ubuntu:22.04\nUSER app\nHEALTHCHECK CMD true\n",
        "bare/Dockerfile": "FROM\n",
        "heredoc/Dockerfile.dev": "FROM ubuntu:22.04\nRUN <<EOF\napt-get update\n",
        "empty/Dockerfile": "# nothing here yet\n",
        "cfn/ok.yaml": f'AWSTemplateFormatVersion: "2010-09-09"\n{bucket}',
        "cfn/broken.yaml": f'AWSTemplateFormatVersion: "2010-09-09"\n{bucket}    Properties:\n      Tags: [\n',
        "cfn/broken.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {',
        "notes.yaml": "Tags: [\n"})
    gaps = {f.location.path: f.message for f in run.findings if f.rule_id == "trivy/file-not-checked"}
    assert sorted(gaps) == ["bare/Dockerfile", "cfn/broken.json", "cfn/broken.yaml", "heredoc/Dockerfile.dev"]
    assert "Dockerfile parser" in gaps["bare/Dockerfile"] and "CloudFormation parser" in gaps["cfn/broken.yaml"]
    assert any(f.location.path == "cfn/ok.yaml" for f in run.findings if f.rule_id.startswith("AWS-"))
