"""Every built-in config policy evaluates, with no error, documents whose values have unexpected types.

A file holds anything: `containers:` left empty is null, a CloudFormation macro's Tags a string
(aws-cloudformation-templates: one such template failed the whole policy run, so guard exited 2).
regorus makes a built-in given the wrong type, and `some .. in` over a non-collection, an error
(OPA by default makes them undefined). Each case rewrites every value at one depth of every document
and resource of the example's Terraform, Kubernetes and Dockerfile plus a CloudFormation template.
"""

from __future__ import annotations

import copy
import shutil
from typing import Any, Callable

import pytest

from guard.config import Config
from guard.policy.base import PolicyError
from guard.policy.inputs import build_config_input
from guard.policy.runner import prepare
from tests.conftest import EXAMPLE

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      Tags: [{Key: classification, Value: confidential}]
      PublicAccessBlockConfiguration: {BlockPublicAcls: true}
      AccessControl: PublicRead
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {Protocol: HTTP, DefaultActions: [{Type: redirect, RedirectConfig: {Protocol: HTTPS}}]}
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {StorageEncrypted: false, BackupRetentionPeriod: 0, PubliclyAccessible: true}
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties: {IsMultiRegionTrail: false, EnableLogFileValidation: false}
  Key:
    Type: AWS::KMS::Key
    Properties: {EnableKeyRotation: false}
  Macro:
    Type: AWS::S3::Bucket
    Properties: "a macro's text"
"""

REWRITES: dict[str, Callable[[Any], Any]] = {
    "lists become strings": lambda v: "x" if isinstance(v, list) else v,
    "maps become strings": lambda v: "x" if isinstance(v, dict) else v,
    "scalars become lists": lambda v: v if isinstance(v, (dict, list)) else ["x"],
    "scalars become maps": lambda v: v if isinstance(v, (dict, list)) else {"x": "y"},
    "strings become numbers": lambda v: 7 if isinstance(v, str) else v,
    "values become null": lambda v: None,
}


def rewritten(node: Any, rewrite: Callable[[Any], Any], at: int, depth: int = 0) -> Any:
    """`node` with every value at depth `at` (1: the values of the top mapping) rewritten."""
    if isinstance(node, dict):
        return {k: rewrite(v) if depth + 1 == at else rewritten(v, rewrite, at, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite(v) if depth + 1 == at else rewritten(v, rewrite, at, depth + 1) for v in node]
    return node


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Any]:
    root = tmp_path_factory.mktemp("shapes") / "repo"
    shutil.copytree(EXAMPLE, root)
    (root / "template.yaml").write_text(TEMPLATE)
    files = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    doc, errors = build_config_input(root, files)
    assert not errors, errors
    assert {f["kind"] for f in doc["files"]} >= {"terraform", "kubernetes", "dockerfile", "cloudformation"}
    ready = prepare(Config(cache=False), root)
    yield doc, ready
    ready.engine.close()


def test_cloudformation_properties_are_always_an_object(shapes: tuple[dict[str, Any], Any]) -> None:
    doc, _ = shapes
    template = next(f for f in doc["files"] if f["kind"] == "cloudformation")
    assert {r["name"]: r["config"] for r in template["resources"]}["Macro"] == {}


@pytest.mark.parametrize("at", range(1, 10))
@pytest.mark.parametrize("rewrite", sorted(REWRITES))
def test_config_policies_evaluate_documents_of_any_shape(shapes: tuple[dict[str, Any], Any], rewrite: str,
                                                         at: int) -> None:
    doc, ready = shapes
    shaped = copy.deepcopy(doc)
    for f in shaped["files"]:
        for d in f.get("documents", []):
            d["content"] = rewritten(d["content"], REWRITES[rewrite], at)
        for r in f.get("resources", []):
            r["config"] = rewritten(r["config"], REWRITES[rewrite], at)
    failed = {}
    for module in ready.pack.policies:
        if module.meta is not None and module.meta.input == "config":
            try:
                ready.engine.evaluate(f"{module.ref}.deny", shaped)
            except PolicyError as exc:
                failed[module.meta.id] = str(exc)
    assert not failed
