"""A changed Terraform file is judged with the rest of its module (real checkov and trivy).

A bucket in one file and its public access block in another: checkov given the bucket's file
alone fails CKV2_AWS_6, which the module passes. PR and staged scans hand scanners only the
changed files, so checkov and trivy read the module's other files for context, report nothing in
them, and key their cached results on them too.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from guard import config as config_mod
from guard.cache import ResultCache
from guard.scanners.checkov import CheckovScanner
from guard.scanners.runner import run_one
from guard.scanners.tfmodule import module_files
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

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    (repo / "infra" / "bucket.tf").write_text(BUCKET.replace('"data"\n}', '"data"\n  tags   = { team = "x" }\n}'))
    git("commit", "-qam", "tag the bucket")

    out = tmp_path / "out"
    clean = {k: "" for k in os.environ if k.startswith("GITHUB_")}
    run_guard("scan", str(repo), "--output", str(out), "--quiet", "--diff-base", "HEAD~1", env=clean)
    doc = json.loads((out / "findings.json").read_text())
    rules = {f["rule_id"] for f in doc["findings"]}
    assert "CKV_AWS_145" in rules and "CKV2_AWS_6" not in rules  # judged with its module
    assert {f["location"]["path"] for f in doc["findings"]} == {"infra/bucket.tf"}
