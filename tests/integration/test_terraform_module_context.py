"""A changed Terraform file is judged with the rest of its module (real checkov and trivy).

A bucket in one file and its public access block in another: checkov given the bucket's file
alone fails CKV2_AWS_6, which the module passes. PR and staged scans hand scanners only the
changed files, so checkov and trivy read the module's other files for context, report nothing in
them, and key their cached results on them too.

A local module's resources are judged as instances of the calls to it, with the call's inputs:
a volume whose `encrypted` comes from a variable is as encrypted as each caller makes it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path, PurePosixPath
from typing import Callable

import pytest

from guard import config as config_mod
from guard.cache import ResultCache
from guard.scanners.checkov import CheckovScanner
from guard.scanners.runner import run_one
from guard.scanners.tfmodule import CallSites, module_files, with_callers
from guard.scanners.trivy import TrivyScanner
from guard.tools.envs import resolve
from tests.conftest import run_guard

BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n'
BLOCK = """resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "bucket.tf").write_text(BUCKET)
    (root / "infra" / "access.tf").write_text(BLOCK)
    (root / "infra" / "notes.md").write_text("not terraform\n")
    (root / "infra" / "vendored.tf").write_text(BUCKET.replace("data", "vendored"))
    (root / "other").mkdir()
    (root / "other" / "main.tf").write_text(BUCKET.replace("data", "other"))
    (root / ".guard.yaml").write_text("exclude: ['infra/vendored.tf']\n")
    return root


def test_module_files_are_the_other_terraform_files_of_the_folder(module: Path) -> None:
    cfg = config_mod.load(module)
    assert module_files(module, ["infra/bucket.tf"], cfg.exclude) == ["infra/access.tf"]
    assert module_files(module, ["infra/bucket.tf", "infra/access.tf"], cfg.exclude) == []
    assert module_files(module, ["infra/notes.md", "app.py"], cfg.exclude) == []
    (module / "root.tf").write_text(BUCKET)
    assert module_files(module, ["root.tf", "other/main.tf"], cfg.exclude) == []


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install checkov)")
def test_checkov_judges_a_changed_file_with_its_module(module: Path, tmp_path: Path) -> None:
    cfg = config_mod.load(module, flags={"cache": False})
    changed = run_one(CheckovScanner(cfg), module, ["infra/bucket.tf"], tmp_path / "one", cfg)
    whole = run_one(CheckovScanner(cfg), module, ["infra/bucket.tf", "infra/access.tf"], tmp_path / "all", cfg)
    assert changed.status.value == "ok", changed.reason
    in_bucket = {(f.rule_id, f.location.start_line) for f in whole.findings if f.location.path == "infra/bucket.tf"}
    assert {(f.rule_id, f.location.start_line) for f in changed.findings} == in_bucket
    assert "CKV2_AWS_6" not in {r for r, _ in in_bucket} and "CKV_AWS_145" in {r for r, _ in in_bucket}
    assert {f.location.path for f in changed.findings} == {"infra/bucket.tf"}


@pytest.mark.skipif(resolve("checkov") is None or resolve("trivy") is None,
                    reason="checkov and trivy not installed (guard tools install checkov trivy)")
@pytest.mark.parametrize("scanner", [CheckovScanner, TrivyScanner])
def test_a_changed_module_file_invalidates_the_cached_result(module: Path, tmp_path: Path, scanner: type) -> None:
    assert rescanned_after(scanner, module, tmp_path,
                           lambda: (module / "infra" / "access.tf").write_text(BLOCK.replace("true", "false")))


def rescanned_after(scanner: type, module: Path, tmp_path: Path, change: Callable[[], object]) -> bool:
    """Whether `scanner` on infra/bucket.tf, served from the cache on its second run, runs again
    after `change` (a file it reads besides infra/bucket.tf)."""
    cfg = config_mod.load(module)
    cache = ResultCache(tmp_path / "cache")
    ran: list[int] = []

    def scan() -> None:
        run = run_one(scanner(cfg), module, ["infra/bucket.tf"], tmp_path / f"w{len(ran)}", cfg, cache,
                      on_run=lambda: ran.append(1))
        assert run.status.value == "ok", run.reason

    scan()
    scan()
    assert len(ran) == 1  # the second run was served from the cache
    change()
    scan()
    return len(ran) == 2


@pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed (guard tools install trivy)")
def test_a_changed_local_module_invalidates_trivys_cached_result(module: Path, tmp_path: Path) -> None:
    """trivy evaluates the module calls of the folder it scans: the called module's files are part of
    its result's key, though not among the changed files."""
    (module / "infra" / "net.tf").write_text('module "net" {\n  source = "../modules/net"\n}\n')
    (module / "modules" / "net").mkdir(parents=True)
    (module / "modules" / "net" / "main.tf").write_text(BUCKET.replace("data", "net"))
    assert "modules/net/main.tf" in TrivyScanner(config_mod.load(module)).context(module, ["infra/bucket.tf"])
    assert rescanned_after(TrivyScanner, module, tmp_path,
                           lambda: (module / "modules" / "net" / "main.tf").write_text(BUCKET.replace("data", "net2")))


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install checkov)")
def test_pr_changing_a_bucket_is_not_blocked_by_an_access_block_in_another_file(tmp_path: Path) -> None:
    """End to end: `guard scan --diff-base` on a PR that tags a bucket whose access block lives in access.tf."""
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "bucket.tf").write_text(BUCKET)
    (repo / "infra" / "access.tf").write_text(BLOCK)
    (repo / ".guard.yaml").write_text("scanners: [checkov]\nfail_on: low\n")
    _, doc = pr_scan(repo, tmp_path / "out", "infra/bucket.tf",
                     BUCKET.replace('"data"\n}', '"data"\n  tags   = { team = "x" }\n}'))
    # (a finding merged with another tool's or guard's report of the same problem lists its rule in `merged`)
    rules = {r for f in doc["findings"] for r in [f["rule_id"], *(m.split(":", 1)[1] for m in
                                                                  f["properties"].get("merged", []))]}
    assert "CKV_AWS_145" in rules and "CKV2_AWS_6" not in rules  # judged with its module
    assert {f["location"]["path"] for f in doc["findings"]} == {"infra/bucket.tf"}


def pr_scan(repo: Path, out: Path, path: str, text: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Commit `repo` as the base, commit `text` as the new `path`, and `guard scan --diff-base HEAD~1`
    into `out`: the process and findings.json."""

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    (repo / path).write_text(text)
    git("commit", "-qam", "change")
    clean = {k: "" for k in os.environ if k.startswith("GITHUB_")}
    proc = run_guard("scan", str(repo), "--output", str(out), "--quiet", "--diff-base", "HEAD~1", env=clean)
    return proc, json.loads((out / "findings.json").read_text())


VOLUME_MODULE = """variable "encrypted" {
  type    = bool
  default = %s
}

resource "aws_ebs_volume" "v" {
  availability_zone = "us-east-1a"
  size              = 10
  encrypted         = var.encrypted
}
"""


def volume_repo(root: Path, default: str, passed: str) -> Path:
    """envs/prod calls modules/stack, which calls modules/volume with `encrypted = passed`."""
    for folder in ("envs/prod", "modules/stack", "modules/volume"):
        (root / folder).mkdir(parents=True)
    (root / "modules" / "volume" / "main.tf").write_text(VOLUME_MODULE % default)
    (root / "modules" / "stack" / "main.tf").write_text(
        'variable "encrypted" {\n  type = bool\n}\n\nmodule "volume" {\n  source    = "../volume"\n'
        '  encrypted = var.encrypted\n}\n')
    (root / "envs" / "prod" / "main.tf").write_text(
        f'module "stack" {{\n  source    = "../../modules/stack"\n  encrypted = {passed}\n}}\n')
    (root / "other").mkdir()
    (root / "other" / "main.tf").write_text(BUCKET)
    return root


def test_the_callers_of_a_changed_module_are_its_context(tmp_path: Path) -> None:
    root = volume_repo(tmp_path / "repo", "false", "true")
    assert with_callers(root, ["modules/volume/main.tf"], ()) == ["envs/prod/main.tf", "modules/stack/main.tf"]
    assert with_callers(root, ["modules/stack/main.tf"], ()) == ["envs/prod/main.tf", "modules/volume/main.tf"]
    assert with_callers(root, ["envs/prod/main.tf"], ()) == []  # a root: judged with `needed` as before
    assert with_callers(root, ["modules/volume/main.tf"], ("envs",)) == ["modules/stack/main.tf"]


def test_the_call_site_follows_the_chain_of_calls(tmp_path: Path) -> None:
    root = volume_repo(tmp_path / "repo", "true", "false")
    volume, address = PurePosixPath("modules/volume"), "module.stack.module.volume.aws_ebs_volume.v"
    sites = CallSites(root, ["envs/prod/main.tf", "other/main.tf"])
    assert sites.of(address, volume) == ("envs/prod/main.tf", 1, 4)
    assert sites.of('module.stack["a"].module.volume[0].aws_ebs_volume.v', volume) == ("envs/prod/main.tf", 1, 4)
    assert sites.of("module.other.module.volume.aws_ebs_volume.v", volume) is None  # no such call
    assert sites.of("aws_ebs_volume.v", volume) is None
    assert sites.of("module.stack", volume) == ("envs/prod/main.tf", 1, 4)  # trivy: the outermost call only
    assert CallSites(root, ["modules/stack/main.tf"]).of(address, volume) is None  # not the outermost call


# (scanner, the unencrypted-volume check, the resource it names for the instance)
UNENCRYPTED = {"checkov": (CheckovScanner, "CKV_AWS_3", "module.stack.module.volume.aws_ebs_volume.v"),
               "trivy": (TrivyScanner, "AWS-0026", "module.stack")}


@pytest.mark.parametrize("tool", sorted(UNENCRYPTED))
@pytest.mark.parametrize("default,passed,reported", [("false", "true", False), ("true", "false", True)])
@pytest.mark.parametrize("changed", [None, ["modules/volume/main.tf"]])
def test_a_module_is_judged_with_its_callers_inputs(tmp_path: Path, tool: str, default: str, passed: str,
                                                    reported: bool, changed: list[str] | None) -> None:
    """An unencrypted default the caller overrides is no finding; a secure default the caller turns
    off is one, in the module's file, named by the instance. Whole scan or the module file alone."""
    if resolve(tool) is None:
        pytest.skip(f"{tool} not installed (guard tools install {tool})")
    scanner, check, resource = UNENCRYPTED[tool]
    root = volume_repo(tmp_path / "repo", default, passed)
    cfg = config_mod.load(root, flags={"cache": False})
    files = changed or ["envs/prod/main.tf", "modules/stack/main.tf", "modules/volume/main.tf", "other/main.tf"]
    run = run_one(scanner(cfg), root, files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    unencrypted = [f for f in run.findings if f.rule_id == check]
    assert bool(unencrypted) is reported
    if reported:
        assert [(f.location.path, f.resource) for f in unencrypted] == [("modules/volume/main.tf", resource)]
    assert {f.location.path for f in run.findings} <= set(files)
    if changed is None:
        assert "other/main.tf" in {f.location.path for f in run.findings}  # a root without calls: as before


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install checkov)")
def test_a_changed_caller_invalidates_checkovs_cached_result_for_the_module(module: Path, tmp_path: Path) -> None:
    (module / "envs").mkdir()
    (module / "envs" / "main.tf").write_text('module "infra" {\n  source = "../infra"\n}\n')
    assert "envs/main.tf" in CheckovScanner(config_mod.load(module)).context(module, ["infra/bucket.tf"])
    assert rescanned_after(CheckovScanner, module, tmp_path,
                           lambda: (module / "envs" / "main.tf").write_text('module "infra2" {\n  source = "../infra"\n}\n'))


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install checkov)")
@pytest.mark.parametrize("var_file", ["terraform.tfvars", "prod.auto.tfvars"])
def test_checkov_applies_the_variable_files_terraform_loads(tmp_path: Path, var_file: str) -> None:
    """`encrypted = true` in the variable file overrides the unencrypted default when main.tf is
    scanned (the file is context: part of the cache key); `encrypted = false` there is a finding."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(VOLUME_MODULE % "false")
    (root / var_file).write_text("encrypted = true\n")
    cfg = config_mod.load(root, flags={"cache": False})
    assert CheckovScanner(cfg).context(root, ["main.tf"]) == [var_file]
    run = run_one(CheckovScanner(cfg), root, ["main.tf"], tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    assert "CKV_AWS_3" not in {f.rule_id for f in run.findings} and run.findings  # other checks still run
    (root / var_file).write_text("encrypted = false\n")
    run = run_one(CheckovScanner(cfg), root, ["main.tf"], tmp_path / "work2", cfg)
    assert "CKV_AWS_3" in {f.rule_id for f in run.findings}


@pytest.mark.parametrize("tool", sorted(UNENCRYPTED))
@pytest.mark.parametrize("passed,reported", [("false", True), ("true", False)])
@pytest.mark.parametrize("nested", [False, True])
def test_a_changed_module_call_is_judged_by_the_instance_it_makes(tmp_path: Path, tool: str, passed: str,
                                                                  reported: bool, nested: bool) -> None:
    """A pull request changing only the call: the module is read for context, and the instance's
    finding is reported at the call (the lines the change touched), naming the module's file; also
    when the call reaches the module through another module."""
    if resolve(tool) is None:
        pytest.skip(f"{tool} not installed (guard tools install {tool})")
    scanner, check, _ = UNENCRYPTED[tool]
    root = tmp_path / "repo"
    (root / "modules" / "volume").mkdir(parents=True)
    (root / "envs").mkdir()
    (root / "modules" / "volume" / "main.tf").write_text(VOLUME_MODULE % "true")
    (root / "envs" / "main.tf").write_text(
        f'locals {{\n  size = 10\n}}\n\nmodule "data" {{\n  source    = "../modules/volume"\n  encrypted = {passed}\n}}\n')
    if nested:  # envs calls modules/stack, which calls modules/volume
        (root / "modules" / "stack").mkdir()
        (root / "modules" / "stack" / "main.tf").write_text(
            'variable "encrypted" {}\n\nmodule "volume" {\n  source    = "../volume"\n  encrypted = var.encrypted\n}\n')
        (root / "envs" / "main.tf").write_text((root / "envs" / "main.tf").read_text().replace("volume", "stack"))
    cfg = config_mod.load(root, flags={"cache": False})
    assert "modules/volume/main.tf" in scanner(cfg).context(root, ["envs/main.tf"])
    run = run_one(scanner(cfg), root, ["envs/main.tf"], tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    unencrypted = [f for f in run.findings if f.rule_id == check]
    assert bool(unencrypted) is reported
    if reported:
        [f] = unencrypted
        assert (f.location.path, f.location.start_line, f.location.end_line) == ("envs/main.tf", 5, 8)
        assert "modules/volume/main.tf:" in f.message and f.properties["module_location"].startswith("modules/volume/")
        if tool == "checkov":  # trivy names the outermost call only
            assert f.resource == ("module.data.module.volume.aws_ebs_volume.v" if nested
                                  else "module.data.aws_ebs_volume.v")
    assert {f.location.path for f in run.findings} <= {"envs/main.tf"}


@pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed (guard tools install trivy)")
def test_a_changed_module_call_in_terraform_json_is_reported_at_the_call(tmp_path: Path) -> None:
    """A `.tf.json` call (CDK for Terraform writes them) is read as JSON to find its lines; before,
    the instance's finding was in a context file with no call site, and was dropped."""
    root = tmp_path / "repo"
    (root / "modules" / "volume").mkdir(parents=True)
    (root / "envs").mkdir()
    (root / "modules" / "volume" / "main.tf").write_text(VOLUME_MODULE % "true")
    (root / "envs" / "main.tf.json").write_text(
        '{\n  "locals": {"size": 10},\n  "module": {\n    "data": {\n      "source": "../modules/volume",\n'
        '      "encrypted": false\n    }\n  }\n}\n')
    assert CallSites(root, ["envs/main.tf.json"]).of("module.data", PurePosixPath("modules/volume")) == \
        ("envs/main.tf.json", 4, 6)
    cfg = config_mod.load(root, flags={"cache": False})
    run = run_one(TrivyScanner(cfg), root, ["envs/main.tf.json"], tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    [f] = [f for f in run.findings if f.rule_id == "AWS-0026"]
    assert (f.location.path, f.location.start_line, f.location.end_line) == ("envs/main.tf.json", 4, 6)
    assert f.properties["module_location"].startswith("modules/volume/main.tf:")


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install checkov)")
def test_pr_turning_off_encryption_in_a_module_call_is_blocked(tmp_path: Path) -> None:
    """End to end: the module is unchanged; the pull request passes `encrypted = false` to it."""
    repo = tmp_path / "repo"
    (repo / "modules" / "volume").mkdir(parents=True)
    (repo / "modules" / "volume" / "main.tf").write_text(VOLUME_MODULE % "true")
    (repo / "main.tf").write_text('module "data" {\n  source    = "./modules/volume"\n  encrypted = true\n}\n')
    (repo / ".guard.yaml").write_text("scanners: [checkov]\nfail_on: high\n")
    proc, doc = pr_scan(repo, tmp_path / "out", "main.tf", (repo / "main.tf").read_text().replace("= true", "= false"))
    assert proc.returncode == 1, proc.stderr
    [f] = [f for f in doc["findings"] if f["rule_id"] == "CKV_AWS_3"]
    assert f["location"]["path"] == "main.tf" and not f["properties"].get("existing")
    assert f["fingerprint"] in doc["gate"]["blocking"]


@pytest.mark.parametrize("tool", sorted(UNENCRYPTED))
def test_a_baselined_instance_stays_existing_when_a_pr_touches_its_call(tmp_path: Path, tool: str) -> None:
    """End to end: a full-tree baseline accepted the unencrypted instance (found in the module); a pull
    request edits the call's block, so the finding is reported there, with the fingerprint it has in
    the module: the baseline covers it and the gate passes."""
    if resolve(tool) is None:
        pytest.skip(f"{tool} not installed (guard tools install {tool})")
    check = UNENCRYPTED[tool][1]
    repo = tmp_path / "repo"
    (repo / "modules" / "volume").mkdir(parents=True)
    (repo / "modules" / "volume" / "main.tf").write_text(VOLUME_MODULE % "true")
    call = 'module "data" {\n  source    = "./modules/volume"\n  encrypted = false\n}\n'
    (repo / "main.tf").write_text(call)
    (repo / ".guard.yaml").write_text(f"scanners: [{tool}]\nfail_on: high\n")
    created = run_guard("baseline", "create", str(repo))
    assert created.returncode == 0, created.stderr
    accepted = json.loads((repo / ".guard-baseline.json").read_text())
    proc, doc = pr_scan(repo, tmp_path / "out", "main.tf", call.replace("false\n", "false\n  # reviewed\n"))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    [f] = [f for f in doc["findings"] if f["rule_id"] == check]
    assert f["location"]["path"] == "main.tf" and f["properties"]["module_location"].startswith("modules/volume/")
    assert f["fingerprint"] in json.dumps(accepted) and f["properties"].get("existing")


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed (guard tools install checkov)")
def test_checkov_judges_every_selected_file_in_hidden_folders_too(tmp_path: Path) -> None:
    """checkov skips hidden folders and files when it walks a folder; guard's folder of links holds
    only what guard selected, and checkov must judge all of it."""
    root = tmp_path / "repo"
    for rel in (".deploy/main.tf", ".bucket.tf", "infra/main.tf"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(BUCKET)
    cfg = config_mod.load(root, flags={"cache": False})
    files = [".bucket.tf", ".deploy/main.tf", "infra/main.tf"]
    run = run_one(CheckovScanner(cfg), root, files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    assert {f.location.path for f in run.findings if f.rule_id == "CKV_AWS_145"} == set(files)


@pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed (guard tools install trivy)")
def test_trivys_instances_of_one_module_resource_are_one_finding_listing_the_calls(tmp_path: Path) -> None:
    """trivy reports a module's resource once per call making an instance (terraform-aws-eks: one line
    seven times, once per example): one finding, listing where each instance came from."""
    root = volume_repo(tmp_path / "repo", "true", "false")
    (root / "envs" / "staging").mkdir()
    (root / "envs" / "staging" / "main.tf").write_text((root / "envs" / "prod" / "main.tf").read_text())
    cfg = config_mod.load(root, flags={"cache": False})
    files = ["envs/prod/main.tf", "envs/staging/main.tf", "modules/stack/main.tf", "modules/volume/main.tf"]
    run = run_one(TrivyScanner(cfg), root, files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    unencrypted = [f for f in run.findings if f.rule_id == "AWS-0026"]
    assert [(f.location.path, f.resource) for f in unencrypted] == [("modules/volume/main.tf", "module.stack")]
    calls = unencrypted[0].properties["occurrences"]
    assert {"envs/prod/main.tf:1", "envs/staging/main.tf:1"} <= set(calls), calls
