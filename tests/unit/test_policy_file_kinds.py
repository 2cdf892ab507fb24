"""`files:` in a config policy's METADATA: only config files of kinds some policy reads are parsed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from guard.config import Config
from guard.policy import inputs
from guard.policy.base import PolicyContext, PolicyError
from guard.policy.loader import builtin_dir, load_pack
from guard.policy.metadata import parse_module
from guard.policy.runner import run_policies

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "insecure-shop"
# the lib helpers of the built-in pack and the config kind each reads
HELPER_KINDS = {"tf_resources": "terraform", "tf_referenced": "terraform", "cfn_resources": "cloudformation",
                "pod_specs": "kubernetes", "containers": "kubernetes", "dockerfiles": "dockerfile"}

POLICY = """# METADATA
# title: T
# description: D
# custom:
#   id: X-1
#   severity: high
#   files: FILES
#   controls:
#     soc2: [CC6.1]
package guard.config.x

import rego.v1

deny contains 1 if false
"""


def test_files_are_read_from_metadata() -> None:
    meta = parse_module("p.rego", POLICY.replace("FILES", "[terraform, cloudformation]")).meta
    assert meta is not None and meta.files == ("terraform", "cloudformation")
    assert parse_module("p.rego", POLICY.replace("#   files: FILES\n", "")).meta.files is None  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["[terraform, helm]", "[]", "{a: 1}", "[1]"])
def test_bad_files_name_the_metadata_block(value: str) -> None:
    with pytest.raises(PolicyError, match=r"^p\.rego:1: METADATA files must list config kinds"):
        parse_module("p.rego", POLICY.replace("FILES", value))


def test_files_belong_to_config_policies_only() -> None:
    source = POLICY.replace("FILES", "[terraform]").replace("guard.config.x", "guard.findings.x")
    with pytest.raises(PolicyError, match=r"^p\.rego:1: METADATA files is for config policies"):
        parse_module("p.rego", source)


def _pack(tmp_path: Path, *files: str | None) -> Path:
    tmp_path.mkdir()
    for i, kinds in enumerate(files):
        text = POLICY.replace("X-1", f"X-{i}").replace("guard.config.x", f"guard.config.x{i}")
        text = text.replace("FILES", kinds) if kinds else text.replace("#   files: FILES\n", "")
        (tmp_path / f"p{i}.rego").write_text(text)
    return tmp_path


def test_pack_reads_the_union_or_every_kind_if_one_policy_does_not_say(tmp_path: Path) -> None:
    declared = load_pack([_pack(tmp_path / "a", "[terraform]", "[kubernetes, dockerfile]")], [])
    assert declared.config_files() == {"terraform", "kubernetes", "dockerfile"}
    undeclared = load_pack([_pack(tmp_path / "b", "[terraform]", None)], [])
    assert undeclared.config_files() is None


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (tmp_path / "package-lock.json").write_text(json.dumps({"name": "app", "lockfileVersion": 3, "packages": {}}))
    (tmp_path / "stack.json").write_text(json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}))
    (tmp_path / "broken.json").write_text('{"Resources": ')
    (tmp_path / "deploy.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n")
    (tmp_path / "ci.yaml").write_text("on: push\njobs: {}\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    return tmp_path


FILES = ["main.tf", "package-lock.json", "stack.json", "broken.json", "deploy.yaml", "ci.yaml", "Dockerfile"]


def test_only_files_of_read_kinds_are_parsed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = inputs.parse_file
    monkeypatch.setattr(inputs, "parse_file", lambda path, text, kind: parsed.append(path) or real(path, text, kind))

    doc, errors = inputs.build_config_input(repo, FILES, kinds=frozenset({"cloudformation"}))
    assert [(e["path"], e["kind"]) for e in doc["files"]] == [("stack.json", "cloudformation")]
    # plain JSON is told from CloudFormation by its content, without its line index; YAML needs a parse
    assert sorted(parsed) == ["ci.yaml", "deploy.yaml", "stack.json"]
    assert [(e.path, e.line) for e in errors] == [("broken.json", 1)]  # it could have been CloudFormation

    parsed.clear()
    doc, errors = inputs.build_config_input(repo, FILES, kinds=frozenset({"terraform", "dockerfile"}))
    assert [e["path"] for e in doc["files"]] == ["Dockerfile", "main.tf"] and parsed == ["Dockerfile", "main.tf"]
    assert errors == []


def test_without_kinds_every_config_file_is_in_the_input(repo: Path) -> None:
    doc, errors = inputs.build_config_input(repo, FILES)
    assert {(e["path"], e["kind"]) for e in doc["files"]} == {
        ("main.tf", "terraform"), ("package-lock.json", "json"), ("stack.json", "cloudformation"),
        ("deploy.yaml", "kubernetes"), ("ci.yaml", "yaml"), ("Dockerfile", "dockerfile")}
    assert [e.path for e in errors] == ["broken.json"]


def test_builtin_config_policies_declare_the_kinds_their_lib_helpers_read() -> None:
    pack = load_pack([builtin_dir()], [])
    checked = 0
    for module in pack.policies:
        assert module.meta is not None
        if module.meta.input != "config":
            continue
        read = {HELPER_KINDS[h] for h in re.findall(r"lib\.([a-z_]+)", module.source) if h in HELPER_KINDS}
        assert "input.files" not in module.source, f"{module.path}: reads input.files directly"
        assert set(module.meta.files or ()) == read, module.path
        checked += 1
    assert checked >= 20
    assert all(p.meta.files for p in pack.python if p.meta.input == "config")


def test_declared_kinds_change_no_result_of_the_builtin_pack(tmp_path: Path) -> None:
    """The example: the same findings whether every config file or only the kinds the pack reads are parsed."""
    files = [str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    context = PolicyContext("insecure-shop", None, None, ("soc2",), "high")
    every = run_policies(Config(), EXAMPLE, files, [], context,
                         prepared=lambda: inputs.build_config_input(EXAMPLE, files))
    read = run_policies(Config(), EXAMPLE, files, [], context)
    assert read.findings and [f.fingerprint for f in read.findings] == [f.fingerprint for f in every.findings]
