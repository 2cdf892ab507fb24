"""After an edit, the file-local scanners run on the changed files only, and the run finds what a scan
without the cache finds (the real bandit, semgrep, detect-secrets, hadolint and trivy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard import pipeline
from guard.config import load
from guard.model import RunResult
from tests.conftest import write_files

FILE_LOCAL = ("bandit", "semgrep", "detect-secrets", "hadolint", "trivy")


@pytest.fixture
def tree(tmp_path: Path, own_cache: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for i in range(6):
        (root / f"m{i}.py").write_text(f"import subprocess\n\ndef f{i}(x):\n    subprocess.call(x, shell=True)\n")
    (root / "Dockerfile").write_text("FROM ubuntu\nRUN apt-get install curl\n")
    (root / ".guard.yaml").write_text(f"scanners: [{', '.join(FILE_LOCAL)}]\nfail_on: critical\n")
    return root


def scan(root: Path, *, cache: bool = True) -> RunResult:
    return pipeline.run(root, load(root, flags={"cache": cache}))


def found(result: RunResult) -> list[tuple]:
    return sorted((f.rule_id, f.path, f.location.start_line if f.location else 0, f.severity.value, f.found_by)
                  for f in result.findings)


def by_name(result: RunResult) -> dict:
    return {s.scanner: s for s in result.scanners}


def test_an_edit_re_runs_the_file_local_scanners_on_that_file_alone(tree: Path):
    cold = scan(tree)
    assert not any(by_name(cold)[n].files_cached for n in FILE_LOCAL)

    (tree / "m3.py").write_text("import os\n\nos.system('ls ' + input())\nexec(input())\n")
    (tree / "m4.py").write_text('API_TOKEN = "gh' + 'p_Zq8xW3vB6nT1yR4uK7pL0sD5fG2hJ9cE3aM6"\n')
    edited = scan(tree)
    runs = by_name(edited)
    assert runs["bandit"].files_scanned == 6
    for name in ("bandit", "semgrep", "detect-secrets", "trivy"):  # two of their files changed
        assert runs[name].files_cached == runs[name].files_scanned - 2, name
    assert runs["hadolint"].cached  # its one file did not change: the whole run is reused

    assert found(edited) == found(scan(tree, cache=False))
    assert any(f.path == "m3.py" and f.rule_id == "B605" for f in edited.findings)
    assert any(f.path == "m4.py" and f.category.value == "secret" for f in edited.findings)
    assert not any(f.path == "m3.py" and f.rule_id == "B602" for f in edited.findings)  # the old m3.py's
    for name in ("bandit", "semgrep"):  # the evidence: the raw outputs of the cold run and of this one
        assert len(runs[name].raw_outputs) == 2 * len(by_name(cold)[name].raw_outputs), name


def test_trivy_judges_a_terraform_module_whole_and_the_other_files_alone(tree: Path):
    (tree / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\n')
    (tree / "variables.tf").write_text('variable "name" {\n  default = "logs"\n}\n')
    scan(tree)
    (tree / "variables.tf").write_text('variable "name" {\n  default = "audit-logs"\n}\n')
    edited = scan(tree)
    runs = by_name(edited)
    assert runs["trivy"].files_cached == runs["trivy"].files_scanned - 2  # main.tf is judged again too
    assert runs["detect-secrets"].files_cached == runs["detect-secrets"].files_scanned - 1
    assert any(f.path == "main.tf" and "trivy" in f.found_by for f in edited.findings)
    assert found(edited) == found(scan(tree, cache=False))


MODULES = {
    "live/main.tf": 'module "disk" {\n  source    = "../modules/disk"\n  encrypted = false\n}\n',
    "modules/disk/main.tf": ('variable "encrypted" {\n  default = true\n}\n\nresource "aws_ebs_volume" "v" {\n'
                             '  availability_zone = "us-east-1a"\n  size              = 8\n'
                             '  encrypted         = var.encrypted\n}\n'),
    "other/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
}


def unencrypted_volume(result: RunResult) -> bool:
    return any(f.rule_id == "AWS-0026" and "trivy" in f.found_by for f in result.findings)


def test_trivy_runs_again_on_the_terraform_modules_an_edit_touches_and_on_no_other(tree: Path):
    write_files(tree, MODULES)
    assert unencrypted_volume(scan(tree))  # the call makes the module's volume unencrypted

    (tree / "m0.py").write_text("print('edited')\n")
    runs = by_name(scan(tree))
    assert runs["trivy"].files_cached == runs["trivy"].files_scanned - 1  # no Terraform file again

    (tree / "live" / "main.tf").write_text(MODULES["live/main.tf"].replace("false", "true"))
    edited = scan(tree)
    runs = by_name(edited)
    assert runs["trivy"].files_cached == runs["trivy"].files_scanned - 2  # the call and the module it calls
    assert not unencrypted_volume(edited)
    assert found(edited) == found(scan(tree, cache=False))

    (tree / "modules" / "disk" / "main.tf").write_text(MODULES["modules/disk/main.tf"].replace("true", "false"))
    edited = scan(tree)
    runs = by_name(edited)
    assert runs["trivy"].files_cached == runs["trivy"].files_scanned - 2  # the module and the call to it
    assert found(edited) == found(scan(tree, cache=False))


def test_checkov_runs_again_on_the_files_an_edit_touches_and_on_kubernetes_manifests(tree: Path):
    write_files(tree, {**MODULES, ".guard.yaml": "scanners: [checkov]\nfail_on: critical\n",
                       "k8s/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                                       "  - name: c\n    image: nginx\n",
                       "cfn/stack.yaml": STACK, ".github/workflows/ci.yml": WORKFLOW})
    together = 1  # k8s/pod.yaml: Kubernetes manifests are judged together, again at every change
    cold = scan(tree)
    assert any(f.rule_id == "CKV_AWS_3" and f.path == "modules/disk/main.tf" for f in cold.findings)
    assert {"cfn/stack.yaml", ".github/workflows/ci.yml"} <= {f.path for f in cold.findings if "checkov" in f.found_by}

    (tree / "other" / "main.tf").write_text(MODULES["other/main.tf"].replace('"b"\n}', '"b2"\n}'))
    runs = by_name(scan(tree))
    assert runs["checkov"].files_cached == runs["checkov"].files_scanned - 1 - together  # that module alone

    (tree / "live" / "main.tf").write_text(MODULES["live/main.tf"].replace("false", "true"))
    edited = scan(tree)
    runs = by_name(edited)
    assert runs["checkov"].files_cached == runs["checkov"].files_scanned - 2 - together  # the call, the module
    assert not any(f.rule_id == "CKV_AWS_3" for f in edited.findings)
    assert found(edited) == found(scan(tree, cache=False))

    for rel, text in {"Dockerfile": "FROM ubuntu:22.04\nUSER nobody\n", "cfn/stack.yaml": STACK + "# edited\n",
                      ".github/workflows/ci.yml": WORKFLOW + "# edited\n"}.items():
        (tree / rel).write_text(text)
        edited = scan(tree)
        runs = by_name(edited)
        assert runs["checkov"].files_cached == runs["checkov"].files_scanned - 1 - together, rel
        assert found(edited) == found(scan(tree, cache=False)), rel


STACK = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n"
         "    Properties:\n      BucketName: logs\n")
WORKFLOW = ("on: pull_request_target\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n        with:\n"
            "          ref: ${{ github.event.pull_request.head.sha }}\n"
            "      - run: echo \"${{ github.event.pull_request.title }}\"\n")
