"""Files checkov was given and never read: a `Containerfile` (checkov takes a Dockerfile by its name) and
Terraform JSON (`*.tf.json`: checkov's terraform framework leaves it to its terraform_json one), and files
it could not parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.checkov import CheckovScanner
from guard.tools.envs import resolve
from tests.conftest import scanned

DOCKERFILE = "FROM python:3.12\nRUN apt-get update && apt-get install -y curl\n"


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed")
def test_a_containerfile_is_checked_and_its_findings_are_at_the_file(tmp_path: Path) -> None:
    run = scanned(CheckovScanner, tmp_path, {"Containerfile": DOCKERFILE, "app/Containerfile": DOCKERFILE,
                                             "Dockerfile.dev": DOCKERFILE})
    healthcheck = {f.location.path for f in run.findings if f.rule_id == "CKV_DOCKER_2"}
    assert healthcheck == {"Containerfile", "app/Containerfile", "Dockerfile.dev"}


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed")
def test_terraform_json_is_checked(tmp_path: Path) -> None:
    run = scanned(CheckovScanner, tmp_path, {
        "main.tf": 'resource "aws_s3_bucket" "a" {\n  acl = "public-read"\n}\n',
        "generated/main.tf.json": '{"resource": {"aws_s3_bucket": {"b": {"acl": "public-read"}}}}\n'})
    public_read = {f.location.path for f in run.findings if f.rule_id == "CKV_AWS_20"}
    assert public_read == {"main.tf", "generated/main.tf.json"}


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed")
def test_checks_that_ran_are_those_of_what_the_files_hold_not_their_names(tmp_path: Path) -> None:
    """A package.json is no Kubernetes manifest: checkov's Kubernetes checks did not check it, and
    controls they map to must not count them as run."""
    only_json = scanned(CheckovScanner, tmp_path / "a", {"package.json": '{"name": "web"}\n'})
    assert not any(r.id.startswith(("CKV_K8S", "CKV_AWS", "CKV2_AWS")) for r in only_json.checks)
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n"
    with_pod = scanned(CheckovScanner, tmp_path / "b", {"package.json": '{"name": "web"}\n', "k8s/pod.yaml": pod})
    assert any(r.id.startswith("CKV_K8S") for r in with_pod.checks)
    assert not any(r.id.startswith(("CKV_AWS", "CKV2_AWS")) for r in with_pod.checks)  # no CloudFormation there


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed")
def test_a_file_checkov_cannot_parse_is_reported_not_checked(tmp_path: Path) -> None:
    """checkov lists a file it cannot parse only among its report's `parsing_errors`."""
    run = scanned(CheckovScanner, tmp_path, {
        "infra/broken.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n',
        "infra/ok.tf": 'resource "aws_s3_bucket" "a" {\n  acl = "public-read"\n}\n',
        "cfn/stack.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n'
                          "    Properties: [\n"})
    not_checked = {(f.location.path, f.message.rsplit("none of its ", 1)[1])
                   for f in run.findings if f.rule_id == "checkov/file-not-checked"}
    assert not_checked == {("infra/broken.tf", "terraform checks read it"),
                           ("cfn/stack.yaml", "cloudformation checks read it")}
    assert {f.location.path for f in run.findings if f.rule_id == "CKV_AWS_20"} == {"infra/ok.tf"}
