"""Config-file parsers: values and line numbers for Terraform, CloudFormation, Kubernetes, Dockerfile."""

from __future__ import annotations

from pathlib import Path

from guard.policy.inputs import build_config_input, config_kind, parse_file

TF = '''resource "aws_s3_bucket" "b" {
  bucket = "x"

  ingress {
    from_port = 22
  }
  ingress {
    from_port = 443
  }
  policy = jsonencode({
    Statement = [{ Action = "*", Resource = "*" }]
  })
}

provider "aws" {
  region = "eu-west-1"
}
'''


def test_terraform_values_and_lines() -> None:
    entry = parse_file("infra/main.tf", TF, "terraform")
    assert entry is not None and entry["kind"] == "terraform" and entry["dir"] == "infra"
    (r,) = entry["resources"]
    assert (r["address"], r["line"], r["end_line"]) == ("aws_s3_bucket.b", 1, 13)
    assert r["config"]["bucket"] == "x"
    assert r["config"]["policy"] == {"Statement": [{"Action": "*", "Resource": "*"}]}
    assert r["lines"]["ingress.1.from_port"] == 8 and r["lines"]["ingress.0"] == 4 and r["lines"]["policy"] == 10
    (p,) = entry["blocks"]
    assert (p["block"], p["name"], p["line"], p["lines"]["region"]) == ("provider", "aws", 15, 16)


def test_cloudformation_yaml_with_short_tags() -> None:
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n      Tags:\n        - Key: a\n          Value: !GetAtt X.Arn\n"
    entry = parse_file("t.yaml", text, "yaml")
    assert entry is not None and entry["kind"] == "cloudformation"
    (r,) = entry["resources"]
    assert (r["type"], r["name"], r["line"]) == ("AWS::S3::Bucket", "B", 3)
    assert r["config"]["BucketName"] == {"Ref": "Name"}
    assert r["config"]["Tags"][0]["Value"] == {"Fn::GetAtt": ["X", "Arn"]}
    assert r["lines"]["BucketName"] == 6 and r["lines"]["Tags.0"] == 8


def test_kubernetes_multi_document() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: c\n      image: x\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
    entry = parse_file("k.yaml", text, "yaml")
    assert entry is not None and entry["kind"] == "kubernetes"
    pod, svc = entry["documents"]
    assert (pod["kind"], pod["name"], svc["kind"], svc["line"]) == ("Pod", "a", "Service", 10)
    assert pod["lines"]["spec.containers.0.image"] == 8


def test_dockerfile_instructions() -> None:
    text = "# escape=\\\nFROM python:3 AS build\nRUN a \\\n  && b\n\nFROM scratch\nUSER app\nCMD [\"run\", \"x\"]\n"
    entry = parse_file("Dockerfile", text, "dockerfile")
    assert entry is not None
    cmds = [(i["cmd"], i["line"], i["stage"]) for i in entry["instructions"]]
    assert cmds == [("from", 2, 0), ("run", 3, 0), ("from", 6, 1), ("user", 7, 1), ("cmd", 8, 1)]
    assert entry["instructions"][0]["stage_name"] == "build"
    assert entry["instructions"][1]["value"] == "a && b"
    assert entry["instructions"][4]["args"] == ["run", "x"] and entry["instructions"][4]["json"]


def test_kinds_by_name() -> None:
    assert [config_kind(p) for p in ["a/main.tf", "Dockerfile", "x/Dockerfile.prod", "api.dockerfile", "a.yml", "b.json", "c.py"]] == \
        ["terraform", "dockerfile", "dockerfile", "dockerfile", "yaml", "json", None]


def test_unparseable_files_are_reported_with_line(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text('resource "a" "b" {\n  x = \n}\n')
    (tmp_path / "bad.json").write_text('{\n  "a": 1\n  "b": 2\n}\n')
    (tmp_path / "ok.yaml").write_text("a: 1\n")
    inp, errors = build_config_input(tmp_path, ["bad.tf", "bad.json", "ok.yaml", "README.md"])
    assert [f["path"] for f in inp["files"]] == ["ok.yaml"]
    assert sorted((e.path, e.line) for e in errors) == [("bad.json", 3), ("bad.tf", 2)]


def test_json_with_comments_and_trailing_commas_is_read_with_its_lines(tmp_path: Path) -> None:
    """tsconfig.json, .vscode/*.json and devcontainer.json are JSONC: they were reported as unparsed."""
    (tmp_path / "tsconfig.json").write_text(
        '{\n  // what to build\n  "compilerOptions": {\n    "url": "http://x//y", /* a note */ "paths": ["a",],\n'
        '    "glob": "src/**/*.ts",\n  },\n}\n')
    inp, errors = build_config_input(tmp_path, ["tsconfig.json"])
    assert not errors
    ((entry,),) = [f["documents"] for f in inp["files"]]
    assert entry["content"] == {"compilerOptions": {"url": "http://x//y", "paths": ["a"], "glob": "src/**/*.ts"}}
    assert entry["lines"]["compilerOptions.paths"] == 4 and entry["lines"]["compilerOptions.glob"] == 5


def test_helm_chart_templates_are_not_read_as_yaml(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "web"
    (chart / "templates" / "tests").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicas: 2\n")
    (chart / "templates" / "deployment.yaml").write_text(
        "{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\n{{- end }}\n")
    (chart / "templates" / "tests" / "plain.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: t}\n")
    (tmp_path / "templates").mkdir()  # not in a chart: plain YAML
    (tmp_path / "templates" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    files = ["charts/web/Chart.yaml", "charts/web/values.yaml", "charts/web/templates/deployment.yaml",
             "charts/web/templates/tests/plain.yaml", "templates/pod.yaml"]
    inp, errors = build_config_input(tmp_path, files)
    assert not errors  # the Go templates are neither parsed nor reported as unreadable YAML
    assert [f["path"] for f in inp["files"]] == ["charts/web/Chart.yaml", "charts/web/values.yaml",
                                                 "templates/pod.yaml"]


def test_a_key_given_twice_is_reported_not_read_with_one_of_its_values(tmp_path: Path) -> None:
    """PyYAML keeps the last value, trivy's parser and strict kubectl refuse the file: a policy must not
    judge `privileged: true` by whichever value one parser keeps (kubernetes/examples holds nine such)."""
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
                                       "  - name: web\n    securityContext:\n      privileged: true\n"
                                       "      privileged: false\n")
    (tmp_path / "merged.yaml").write_text("base: &b\n  x: 1\n  y: 2\nchild:\n  <<: *b\n  x: 5\n")  # an override
    (tmp_path / "stack.json").write_text('{\n  "Resources": {},\n  "Resources": {"B": {}}\n}\n')
    entries, errors = build_config_input(tmp_path, ["pod.yaml", "merged.yaml", "stack.json"])
    assert [e["path"] for e in entries["files"]] == ["merged.yaml"]
    assert [(e.path, e.line) for e in errors] == [("pod.yaml", 10), ("stack.json", 3)]
    assert "key 'privileged' given twice (first at line 9)" in str(errors[0])
