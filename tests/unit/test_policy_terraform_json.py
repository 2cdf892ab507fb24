"""Terraform JSON (`*.tf.json`, CDK for Terraform's output) reaches the config policies as Terraform does:
the same entries, and the built-in pack finds the same problems in it as in the HCL it stands for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.config import Config
from guard.policy.base import InputError, PolicyContext
from guard.policy.inputs import build_config_input, config_kind
from guard.policy.inputs.terraform import load_terraform
from guard.policy.inputs.terraform_json import load_terraform_json
from guard.policy.runner import run_policies

HCL = '''resource "aws_s3_bucket" "b" {
  bucket = "logs"
  acl    = "public-read"
}

resource "aws_security_group" "sg" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  ami = "ami-123"
  root_block_device {
    encrypted = false
  }
}

resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

data "aws_caller_identity" "me" {}

provider "aws" {
  region = "eu-west-1"
}
'''
CDK = {
    "//": {"metadata": {"backend": "local", "stackName": "app"}},
    "resource": {
        "aws_s3_bucket": {"b": {"bucket": "logs", "acl": "public-read"}},
        "aws_security_group": {"sg": {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp",
                                                   "cidr_blocks": ["0.0.0.0/0"]}]}},
        "aws_instance": {"web": {"ami": "ami-123", "root_block_device": {"encrypted": False}}},
        "aws_iam_policy": {"p": {"policy": '${jsonencode({Statement = [{ Effect = "Allow", Action = "*", '
                                           'Resource = "*" }]})}'}},
    },
    "data": {"aws_caller_identity": {"me": {}}},
    "provider": {"aws": [{"region": "eu-west-1"}]},
}


def test_the_kind_is_read_from_the_name() -> None:
    assert config_kind("stacks/app/cdk.tf.json") == "terraform_json"
    assert config_kind("package.json") == "json"


def test_the_same_resources_and_blocks_as_hcl() -> None:
    hcl = load_terraform("main.tf", HCL)
    cdk = load_terraform_json("cdk.tf.json", json.dumps(CDK, indent=2))
    keys = ("block", "type", "name", "labels", "address", "mode")
    assert [{k: r.get(k) for k in keys} for r in cdk["resources"]] == \
        [{k: r.get(k) for k in keys} for r in hcl["resources"]]
    assert [(b["block"], b["labels"], b["config"]) for b in cdk["blocks"]] == \
        [(b["block"], b["labels"], b["config"]) for b in hcl["blocks"]]
    policy = next(r for r in cdk["resources"] if r["type"] == "aws_iam_policy")["config"]["policy"]
    assert policy == {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}  # jsonencode decoded


def test_lines_come_from_the_json() -> None:
    text = json.dumps(CDK, indent=2)
    sg = next(r for r in load_terraform_json("cdk.tf.json", text)["resources"] if r["type"] == "aws_security_group")
    lines = text.splitlines()
    assert lines[sg["line"] - 1].strip().startswith('"sg"')
    assert lines[sg["lines"]["ingress.0.cidr_blocks"] - 1].strip().startswith('"cidr_blocks"')
    assert sg["end_line"] > sg["line"]


def test_labels_may_be_given_as_arrays() -> None:
    text = json.dumps({"resource": [{"aws_s3_bucket": [{"a": {"acl": "private"}}, {"b": {"acl": "public-read"}}]}]})
    assert [r["address"] for r in load_terraform_json("x.tf.json", text)["resources"]] == \
        ["aws_s3_bucket.a", "aws_s3_bucket.b"]


NOT_AN_OBJECT = '{\n  "resource": {\n    "aws_s3_bucket": {\n      "b": 3\n    }\n  }\n}'


@pytest.mark.parametrize("text, line", [("[1, 2]", 1), (NOT_AN_OBJECT, 4), ('{"resource": {', 1)])
def test_what_is_not_terraform_json_names_the_file_and_line(text: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        load_terraform_json("stack/cdk.tf.json", text)
    assert caught.value.path == "stack/cdk.tf.json" and caught.value.line == line


def test_the_built_in_pack_finds_the_same_problems(tmp_path: Path) -> None:
    (tmp_path / "hcl").mkdir()
    (tmp_path / "cdk").mkdir()
    (tmp_path / "hcl" / "main.tf").write_text(HCL)
    (tmp_path / "cdk" / "cdk.tf.json").write_text(json.dumps(CDK, indent=2))
    files = ["hcl/main.tf", "cdk/cdk.tf.json"]
    entries, errors = build_config_input(tmp_path, files)
    assert not errors and [e["kind"] for e in entries["files"]] == ["terraform", "terraform"]
    run = run_policies(Config(), tmp_path, files, [], PolicyContext(str(tmp_path), None, None, ("soc2",), "high"))
    found = {path: sorted({f.rule_id for f in run.findings if f.location and f.location.path == path})
             for path in files}
    assert found["cdk/cdk.tf.json"] == found["hcl/main.tf"]
    assert {"GUARD-S3-002", "GUARD-NET-001", "GUARD-EBS-001", "GUARD-IAM-001"} <= set(found["hcl/main.tf"])
