"""Which files of a Terraform module a changed file needs: what it refers to and what attaches to it."""

from __future__ import annotations

import os
import time
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.scanners import tfmodule
from guard.scanners.tfmodule import callers_context, related, with_called_modules

MODULE = {
    "bucket.tf": 'resource "aws_s3_bucket" "data" {\n  bucket = local.name\n  tags = { env = var.env }\n}\n',
    "access.tf": 'resource "aws_s3_bucket_public_access_block" "data" {\n  bucket = aws_s3_bucket.data.id\n}\n',
    "logging.tf": 'resource "aws_s3_bucket_logging" "data" {\n  bucket        = aws_s3_bucket.data.id\n'
                  '  target_bucket = aws_s3_bucket.logs.id\n}\n',
    "logs.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n  kms = aws_kms_key.k.arn\n}\n',
    "kms.tf": 'resource "aws_kms_key" "k" {\n  description = data.aws_caller_identity.me.account_id\n}\n',
    "ident.tf": 'data "aws_caller_identity" "me" {}\n',
    "locals.tf": 'locals {\n  name = "${var.prefix}-data"\n  unused = 1\n}\n',
    "variables.tf": 'variable "env" {}\nvariable "prefix" {\n  default = "acme"\n}\n',
    "vpc.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    "sg.tf": 'resource "aws_security_group" "web" {\n  vpc_id = aws_vpc.main.id\n}\n',
}


def test_what_a_file_refers_to_is_needed_transitively() -> None:
    assert related(MODULE, ["locals.tf"]) == ["variables.tf"]
    assert related(MODULE, ["ident.tf"]) == []  # a data source is not checked: nothing attaches to it
    assert related(MODULE, ["kms.tf"]) == ["ident.tf", "logs.tf"]  # logs.tf refers to (attaches to) the key


def test_what_attaches_to_its_resources_is_needed_with_what_that_refers_to() -> None:
    # access and logging refer to the bucket; logging brings the logs bucket, which brings its key
    assert related(MODULE, ["bucket.tf"]) == ["access.tf", "ident.tf", "kms.tf", "locals.tf", "logging.tf",
                                              "logs.tf", "variables.tf"]


def test_attachments_are_one_hop_not_the_whole_module() -> None:
    assert related(MODULE, ["vpc.tf"]) == ["sg.tf"]
    assert related(MODULE, ["sg.tf"]) == ["vpc.tf"]
    assert "vpc.tf" not in related(MODULE, ["bucket.tf"]) and "sg.tf" not in related(MODULE, ["access.tf"])


def test_several_selected_files_and_unknown_names() -> None:
    assert related(MODULE, ["vpc.tf", "sg.tf"]) == []
    assert related({"a.tf": 'resource "x" "y" {\n  v = module.m.out\n  w = path.module\n}\n'}, ["a.tf"]) == []
    with_module = {"a.tf": 'resource "x" "y" {\n  v = module.m.out\n}\n', "m.tf": 'module "m" {\n  source = "./m"\n}\n'}
    assert related(with_module, ["a.tf"]) == ["m.tf"]


def test_json_terraform_files_are_always_needed() -> None:
    module = {**MODULE, "extra.tf.json": '{"resource": {"aws_s3_bucket_policy": {"p": {"bucket": "x"}}}}'}
    assert "extra.tf.json" in related(module, ["vpc.tf"]) and related(module, ["extra.tf.json"]) == []


FRAGMENTS = ['resource "aws_s3_bucket" "a" {', 'resource "aws_kms_key" "k" {', "}", 'data "x_y" "z" {}',
             'variable "v" {}', "locals {", "  n = 1", "  b = aws_s3_bucket.a.id", "  k = aws_kms_key.k.arn",
             "  v = var.v", "  l = local.n", "  d = data.x_y.z.id", 'module "m" {', "  x = module.m.out", "# aws_kms_key.k",
             '"${aws_s3_bucket.a.arn}"', "\\u0000", "ü.ö"]


@settings(max_examples=300, deadline=None, derandomize=not os.environ.get("GUARD_FUZZ_RANDOM"))
@given(st.dictionaries(st.sampled_from(["a.tf", "b.tf", "c.tf", "d.tf.json", "e.tf"]),
                       st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("\n".join), min_size=1),
       st.data())
def test_related_files_are_other_module_files_and_include_what_is_needed(texts: dict[str, str],
                                                                       data: st.DataObject) -> None:
    selected = data.draw(st.lists(st.sampled_from(sorted(texts)), min_size=1, unique=True))
    out = related(texts, selected)
    assert out == sorted(out) and set(out) <= set(texts) - set(selected)
    # a key a selected file names without defining it comes with a file defining it (when one does)
    definition = 'resource "aws_kms_key" "k"'
    chosen = set(selected) | set(out)
    for path in selected:
        text = texts[path]
        if "aws_kms_key.k" in text.replace(definition, "") and definition not in text:
            defining = {p for p, t in texts.items() if definition in t}
            assert not defining or defining & chosen


def test_local_modules_a_module_calls_are_its_context_transitively(tmp_path: Path) -> None:
    def put(rel: str, text: str) -> None:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)

    put("infra/main.tf", 'module "net" {\n  source = "../modules/net"\n}\n'
                         'module "up" {\n  source = "../../outside"\n}\n')
    put("infra/vars.tf", 'variable "x" {}\n')
    put("modules/net/main.tf", 'module "db" {\n  source = "./db"\n}\nmodule "reg" {\n  source = "hashicorp/x/aws"\n}\n')
    put("modules/net/db/db.tf.json", '{"module": {"again": {"source": "../../net"}}}')
    put("modules/net/db/notes.md", "not terraform\n")
    put("modules/unused/main.tf", 'resource "x" "y" {}\n')
    put("vendor/mod/main.tf", 'resource "x" "y" {}\n')
    put("infra/vendor.tf", 'module "v" {\n  source = "../vendor/mod"\n}\n')
    got = with_called_modules(tmp_path, ["infra/main.tf"], ["vendor/**"])
    assert sorted(got) == ["infra/vars.tf", "infra/vendor.tf", "modules/net/db/db.tf.json", "modules/net/main.tf"]
    assert with_called_modules(tmp_path, ["app.py"], []) == []


def _calling_tree(root: Path) -> Path:
    (root / "modules" / "volume").mkdir(parents=True)
    (root / "modules" / "volume" / "main.tf").write_text('resource "aws_ebs_volume" "v" {}\n')
    (root / "envs" / "prod").mkdir(parents=True)
    (root / "envs" / "prod" / "main.tf").write_text('module "v" {\n  source = "../../modules/volume"\n}\n')
    return root


def test_the_callers_walk_is_remembered_until_a_folder_or_file_changes(tmp_path: Path, monkeypatch) -> None:
    """checkov and trivy both look for a changed module's callers: the second asks a remembered walk,
    which a new caller, a changed call or a removed file invalidates."""
    monkeypatch.setattr(tfmodule, "_SETTLED_NS", -10**12)  # every stamp counts as settled
    root = _calling_tree(tmp_path / "repo")
    changed = ["modules/volume/main.tf"]
    assert callers_context(root, changed, ()) == ["envs/prod/main.tf"]
    with monkeypatch.context() as m:
        m.setattr(tfmodule, "_text", lambda path: pytest.fail(f"{path} read again"))
        m.setattr(tfmodule.os, "walk", lambda *a, **k: pytest.fail("walked again"))
        assert tfmodule._calling_folders(root, {PurePosixPath("modules/volume")}, ()) == {PurePosixPath("envs/prod")}
    time.sleep(0.05)
    (root / "envs" / "dev").mkdir()
    (root / "envs" / "dev" / "main.tf").write_text('module "v" {\n  source = "../../modules/volume"\n}\n')
    assert callers_context(root, changed, ()) == ["envs/dev/main.tf", "envs/prod/main.tf"]
    time.sleep(0.05)
    (root / "envs" / "dev" / "main.tf").write_text('module "v" {\n  source = "../../modules/other_"\n}\n')
    assert callers_context(root, changed, ()) == ["envs/prod/main.tf"]  # same size, another module
    time.sleep(0.05)
    (root / "envs" / "prod" / "main.tf").unlink()
    assert callers_context(root, changed, ()) == []


def test_what_changed_in_the_last_moments_is_not_remembered(tmp_path: Path) -> None:
    """A change in the same clock tick as the stamp would not show: fresh files and folders are read
    every time (as git treats racily clean index entries)."""
    root = _calling_tree(tmp_path / "repo")
    assert callers_context(root, ["modules/volume/main.tf"], ()) == ["envs/prod/main.tf"]
    assert str(root / "envs" / "prod" / "main.tf") not in tfmodule._SOURCES
    assert not any(key[0] == str(root) for key in tfmodule._WALKS)
