"""checkov started with only the frameworks asked for loaded (`checkov_start`) reports exactly what
checkov's own script reports, for every framework guard asks for; and it does leave the others out."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guard.config import Config
from guard.scanners.checkov import START, CheckovScanner, start
from guard.scanners.checkov_start import (
    INDEX_VARIABLE, SUPPORTED, Selected, asked_frameworks, left_out, scanned_block_types,
)
from guard.tools.catalog import TOOLS
from guard.tools.envs import resolve
from tests.conftest import EXAMPLE

CHECKOV = resolve("checkov")
ENV = {**os.environ, **CheckovScanner(Config()).env()}
needs_checkov = pytest.mark.skipif(CHECKOV is None, reason="checkov not installed (guard tools install checkov)")

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data
  Queue:
    Type: AWS::SQS::Queue
"""
KUSTOMIZATION = "resources:\n  - deployment.yaml\n"
CHART = "apiVersion: v2\nname: shop\nversion: 0.1.0\n"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's Terraform, Kubernetes, Dockerfile and workflow, with a CloudFormation template,
    a kustomization and a Helm chart."""
    root = tmp_path_factory.mktemp("frameworks")
    for part in ("terraform", "k8s", ".github", "Dockerfile"):
        src = EXAMPLE / part
        shutil.copytree(src, root / part) if src.is_dir() else shutil.copy(src, root / part)
    (root / "cfn").mkdir()
    (root / "cfn" / "storage.yaml").write_text(TEMPLATE)
    (root / "overlay").mkdir()
    shutil.copy(EXAMPLE / "k8s" / "deployment.yaml", root / "overlay" / "deployment.yaml")
    (root / "overlay" / "kustomization.yaml").write_text(KUSTOMIZATION)
    (root / "chart" / "templates").mkdir(parents=True)
    (root / "chart" / "Chart.yaml").write_text(CHART)
    shutil.copy(EXAMPLE / "k8s" / "deployment.yaml", root / "chart" / "templates" / "deployment.yaml")
    return root


def results(argv: list[str], tree: Path, out: Path) -> dict[str, set[tuple]]:
    """Every check result of a checkov run over `tree`, by framework."""
    return run_checkov(argv, tree, out)[0]


def run_checkov(argv: list[str], tree: Path, out: Path, env: dict[str, str] = ENV) -> tuple[dict[str, set[tuple]], str]:
    """`results`, and what the run wrote to stderr."""
    out.mkdir(exist_ok=True)
    proc = subprocess.run([*argv, "--skip-download", "--compact", "-o", "json", "--output-file-path", str(out),
                           "-d", str(tree)], cwd=out, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    doc = json.loads((out / "results_json.json").read_text())
    found: dict[str, set[tuple]] = {}
    for report in doc if isinstance(doc, list) else [doc]:
        for outcome in ("passed_checks", "failed_checks", "skipped_checks"):
            for r in (report.get("results") or {}).get(outcome) or []:
                lines = tuple(r.get("file_line_range") or ())
                found.setdefault(report["check_type"], set()).add(
                    (outcome, r["check_id"], r.get("resource"), r.get("file_path"), lines))
    return found, proc.stderr


@pytest.fixture(scope="module")
def by_script(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple]]:
    """checkov's own script, every framework guard asks for in one run."""
    assert CHECKOV is not None
    return results([CHECKOV.executable, "--framework", *sorted(SUPPORTED)], tree, tmp_path_factory.mktemp("script"))


@needs_checkov
@pytest.mark.parametrize("framework", sorted(SUPPORTED))
def test_each_framework_reports_what_checkovs_script_reports(framework: str, tree: Path, by_script: dict,
                                                              tmp_path: Path) -> None:
    assert CHECKOV is not None
    argv = start(CHECKOV.executable)
    assert argv[1].endswith("checkov_start.py")  # guard's checkov environment: started this way
    found = results([*argv, "--framework", framework], tree, tmp_path / "out")
    assert found.get(framework, set()) == by_script.get(framework, set())
    assert set(found) <= {framework}
    if framework in ("terraform", "cloudformation", "kubernetes", "dockerfile", "github_actions"):
        assert any(r[0] == "failed_checks" for r in found[framework])  # a comparison of something


@needs_checkov
def test_frameworks_not_asked_for_are_not_loaded(tmp_path: Path) -> None:
    assert CHECKOV is not None

    def imported(*frameworks: str) -> str:
        proc = subprocess.run([*start(CHECKOV.executable), "--framework", *frameworks, "--version"], cwd=tmp_path,
                              env={**ENV, "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True,
                              text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stderr

    alone = imported("terraform")
    assert "checkov.terraform.checks" in alone and "checkov.kubernetes.checks" not in alone
    assert "spdx_tools" not in alone  # SPDX output: loaded when asked for (below)
    lazy = ("aiohttp.client", "boto3.session")  # LAZY: what they import runs when used
    assert not [name for name in lazy if name in alone]
    assert "checkov.kubernetes.checks" in imported("terraform", "helm")  # helm runs kubernetes' checks
    everything = imported("all")
    assert "checkov.kubernetes.checks" in everything and all(name in everything for name in lazy)


@needs_checkov
def test_list_prints_what_checkovs_script_prints(tmp_path: Path) -> None:
    """`--list` needs the registries the start leaves out: they are loaded when it is asked for."""
    assert CHECKOV is not None
    printed = [subprocess.run([*argv, "--framework", "terraform", "--list"], cwd=tmp_path, env=ENV, capture_output=True,
                              text=True, timeout=300, check=True).stdout
               for argv in (start(CHECKOV.executable), [CHECKOV.executable])]
    assert "CKV_AWS_3 " in printed[0] and printed[0] == printed[1]


@needs_checkov
@pytest.mark.parametrize("output", ["spdx", "cyclonedx_json"])
def test_output_formats_left_for_later_print_what_checkovs_script_prints(output: str, tree: Path,
                                                                          tmp_path: Path) -> None:
    """SPDX and CycloneDX output, which guard does not ask for, still work: their modules are imported
    when checkov first makes one."""
    assert CHECKOV is not None

    def printed(argv: list[str]) -> list[str]:
        proc = subprocess.run([*argv, "--framework", "terraform", "--skip-download", "--compact", "-o", output,
                               "-d", str(tree / "terraform")], cwd=tmp_path, env=ENV, capture_output=True, text=True,
                              timeout=300, check=False)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        varying = ("Created:", "DocumentNamespace:", '"timestamp"', '"serialNumber"')
        text = re.sub(r'"(serialNumber|timestamp|bom-ref)": "[^"]*"', "", proc.stdout)
        return sorted(line for line in text.splitlines() if line.strip() and not any(v in line for v in varying))

    ours = printed(start(CHECKOV.executable))
    assert ours and ours == printed([CHECKOV.executable])


def test_the_frameworks_asked_for_are_read_as_checkov_reads_them() -> None:
    assert asked_frameworks(["--framework", "terraform", "helm,kubernetes", "-d", "x"]) == {
        "terraform", "helm", "kubernetes"}
    assert asked_frameworks(["--framework=dockerfile", "--framework", "cloudformation"]) == {
        "dockerfile", "cloudformation"}
    assert asked_frameworks(["-d", "x"]) is None
    assert "checkov.kubernetes.runner" in left_out(["--framework", "terraform"])
    assert "checkov.terraform.runner" not in left_out(["--framework", "terraform"])
    assert "checkov.kubernetes.runner" not in left_out(["--framework", "kustomize"])
    assert "checkov.secrets.runner" not in left_out(["--framework", "terraform"])
    assert left_out(["--framework", "all"]) == left_out(["--framework", "terraform", "bicep"]) == left_out([]) == set()


MODULE_CALL = """module "warehouse" {
  source = "./modules/warehouse"
}

/* a resource "azurerm_storage_account" in a comment: a type more to load checks for, never fewer */
resource google_storage_bucket "assets" {
  name     = "assets"
  location = "EU"
}

data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
"""
WAREHOUSE_MODULE = """resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier = "warehouse"
  node_type          = "dc2.large"
  publicly_accessible = true
}
"""


def imported_checks(stderr: str) -> int:
    """How many modules of checkov's Terraform resource and data source checks a run imported (`-X importtime`)."""
    return sum(1 for line in stderr.splitlines() if re.search(r"checkov\.terraform\.checks\.(resource|data)\.", line))


@needs_checkov
def test_only_the_checks_of_the_scanned_types_are_loaded_and_the_results_stay(tmp_path: Path) -> None:
    """Once a run of guard's start has kept checkov's index of resource and data source check modules, a run loads
    the modules of the types in its files only (a module call's too), and reports what checkov's script reports."""
    assert CHECKOV is not None
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLE / "terraform", tree)
    (tree / "calls.tf").write_text(MODULE_CALL)
    (tree / "modules" / "warehouse").mkdir(parents=True)
    (tree / "modules" / "warehouse" / "main.tf").write_text(WAREHOUSE_MODULE)
    argv = [*start(CHECKOV.executable), "--framework", "terraform"]
    index = tmp_path / "cache" / "checkov-terraform-checks.json"

    def run(name: str, command: list[str]) -> tuple[dict[str, set[tuple]], int]:
        env = {**ENV, INDEX_VARIABLE: str(index), "PYTHONPROFILEIMPORTTIME": "1"}
        found, stderr = run_checkov(command, tree, tmp_path / name, env)
        return found, imported_checks(stderr)

    every, loaded_all = run("first", argv)
    assert json.loads(index.read_text())["modules"]  # kept by that run, where guard said
    selected, loaded = run("selected", argv)
    index.write_text(index.read_text().replace('"checkov": "', '"checkov": "0.'))  # another version's
    _, loaded_again = run("other-version", argv)
    script, _ = run("script", [CHECKOV.executable, "--framework", "terraform"])
    assert selected == every == script
    failed = {r[2] for r in selected["terraform"] if r[0] == "failed_checks"}
    assert "module.warehouse.aws_redshift_cluster.warehouse" in failed  # the module's own type, checked
    assert "google_storage_bucket.assets" in failed  # a label without quotes
    assert "aws_iam_policy_document.admin" in failed  # a data source's check
    assert loaded_all > 950 and 0 < loaded < 150 and loaded_again == loaded_all


def test_the_block_types_are_read_from_every_terraform_file_checkov_is_given(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\nresource aws_iam_role r {}\n'
                                            '# resource "azurerm_key_vault" in a comment\ndata "aws_ami" "x" {}\n')
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")  # a link back up: read once
    (tmp_path / "b.hcl").write_text('resource "google_sql_database_instance" "db" {}\n')
    (tmp_path / "notes.txt").write_text('resource "aws_instance" "x" {}\n')  # no file checkov reads
    folder = ["--framework", "terraform", "-d", str(tmp_path / "a")]
    kinds = {"aws_s3_bucket", "aws_iam_role", "azurerm_key_vault", "aws_ami"}
    assert scanned_block_types(folder) == kinds
    assert scanned_block_types([*folder, "-f", str(tmp_path / "b.hcl")]) == {*kinds, "google_sql_database_instance"}
    assert scanned_block_types(["--framework", "terraform", "dockerfile", f"--directory={tmp_path}"]) == {
        *kinds, "google_sql_database_instance"}
    # whenever checkov may read resources from elsewhere: every check module is loaded
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "cdk.tf.json").write_text('{"resource": {"aws_instance": {"x": {}}}}')
    assert scanned_block_types(["--framework", "terraform", "-d", str(tmp_path / "c")]) is None
    assert scanned_block_types([*folder, "--download-external-modules", "true"]) is None
    assert scanned_block_types(["--framework", "terraform", "terraform_plan", "-d", str(tmp_path)]) is None
    assert scanned_block_types(["--framework", "dockerfile", "-d", str(tmp_path)]) is None
    assert scanned_block_types(["-d", str(tmp_path)]) is None  # every framework
    assert scanned_block_types(["--framework", "terraform"]) is None


def test_a_check_module_is_loaded_for_its_types_its_patterns_or_when_the_index_does_not_know_it() -> None:
    index = {"p.S3": ["aws_s3_bucket"], "p.Any": ["aws_*"], "p.Vault": ["azurerm_key_vault"], "p.Set": ["gcp_[ab]"]}
    selected = Selected(index, {"aws_s3_bucket", "gcp_b"})
    assert [m for m in ("p.S3", "p.Any", "p.Vault", "p.Set", "p.New") if selected.wanted(m)] == [
        "p.S3", "p.Any", "p.Set", "p.New"]


def test_only_checkovs_own_script_is_started_this_way(tmp_path: Path) -> None:
    wrapper = tmp_path / "checkov"
    wrapper.write_text("#!/bin/sh\nexec checkov \"$@\"\n")
    assert start(str(wrapper)) == [str(wrapper)]
    other = tmp_path / "fake"
    other.write_text(f"#!{shutil.which('python3')}\nprint('[]')\n")
    assert start(str(other)) == [str(other)]
    assert start(str(tmp_path / "missing")) == [str(tmp_path / "missing")]


@pytest.mark.parametrize("version,started", [(TOOLS["checkov"].version, True), ("3.2.0", False)])
def test_only_the_pinned_checkov_is_started_this_way(tmp_path: Path, version: str, started: bool) -> None:
    """`checkov_start` knows the runners of the checkov guard pins; another version starts as usual."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib" / "python3.11" / "site-packages" / f"checkov-{version}.dist-info").mkdir(parents=True)
    script = tmp_path / "bin" / "checkov"
    script.write_text(f"#!{sys.executable}\nfrom checkov.main import Checkov\n")
    assert start(str(script)) == ([sys.executable, str(Path(START))] if started else [str(script)])


EVALUATIONS = r"""
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("checkov_start", sys.argv[1])
start = importlib.util.module_from_spec(spec)
spec.loader.exec_module(start)
from asteval import Interpreter
from checkov.terraform.graph_builder.variable_rendering import safe_eval_functions as evaluator

built = []
init = Interpreter.__init__
Interpreter.__init__ = lambda self, *a, **k: (built.append(1), init(self, *a, **k))[1]

def outcomes():
    out = []
    for expr in json.loads(sys.argv[2]):
        try:
            out.append(repr(evaluator.evaluate(expr)))
        except Exception as exc:
            out.append(f"{type(exc).__name__}: {exc}")
    return out

fresh = outcomes()
before = len(built)
start.reuse_evaluators()
reused = outcomes()
print(json.dumps({"fresh": fresh, "reused": reused, "built_fresh": before, "built_reused": len(built) - before}))
"""
# Terraform expressions as checkov evaluates them: values, functions, errors (an interpreter left in an
# error state must not leak it), `try` (it evaluates its arguments: a nested evaluation), ranges
EXPRESSIONS = ["1 + 2", "upper('abc')", "max(1, 5, 3)", "undefined_name + 1", "'a' + 'b'", "try('1/0', '7')",
               "1/0", "lower('X')", "try('nope(', 'try(\\'2 * 3\\', 1)')", "3-5", "[1, 2][5]", "concat([1], [2])",
               "continue", "", "length('four')", "try(undefined_name, 'fallback')", "true && false"] * 3


@needs_checkov
def test_reused_evaluators_give_what_new_ones_give() -> None:
    assert CHECKOV is not None
    python = Path(CHECKOV.executable).parent / "python"
    shim = Path(start(CHECKOV.executable)[1])
    proc = subprocess.run([str(python), "-c", EVALUATIONS, str(shim), json.dumps(EXPRESSIONS)], env=ENV,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["reused"] == got["fresh"]
    assert any(o.startswith(("ValueError", "Exception")) for o in got["fresh"])  # errors were among them
    assert got["built_fresh"] >= len([e for e in EXPRESSIONS if e not in ("", "continue")])
    assert got["built_reused"] <= 3  # one per nesting level


MODULE_CALLS = {  # module calls with for_each and expressions checkov renders through its evaluator
    "main.tf": """
locals {
  buckets = { logs = { versioning = false }, data = { versioning = true } }
  prefix  = try(var.prefix, "shop")
}
variable "prefix" {
  default = null
}
module "bucket" {
  source     = "./modules/bucket"
  for_each   = local.buckets
  name       = "${local.prefix}-${each.key}"
  versioning = try(each.value.versioning, false)
  public     = length(each.key) > 3 ? true : false
}
""",
    "modules/bucket/main.tf": """
variable "name" {}
variable "versioning" {}
variable "public" {}
resource "aws_s3_bucket" "this" {
  bucket = upper(var.name)
}
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}
resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = !var.public
  block_public_policy     = !var.public
  ignore_public_acls      = !var.public
  restrict_public_buckets = !var.public
}
""",
}


@needs_checkov
def test_module_calls_rendered_with_reused_evaluators_report_what_checkovs_script_reports(tmp_path: Path) -> None:
    assert CHECKOV is not None
    tree = tmp_path / "tree"
    for rel, text in MODULE_CALLS.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text)
    by_script = results([CHECKOV.executable, "--framework", "terraform"], tree, tmp_path / "script")
    found = results([*start(CHECKOV.executable), "--framework", "terraform"], tree, tmp_path / "shim")
    assert found == by_script
    resources = {r[2] for r in found["terraform"]}
    assert {"module.bucket[\"logs\"].aws_s3_bucket.this", "module.bucket[\"data\"].aws_s3_bucket.this"} <= resources
    assert {r[0] for r in found["terraform"]} >= {"passed_checks", "failed_checks"}

