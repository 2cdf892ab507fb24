"""A change cannot silence a scanner through the tool's own configuration or pragmas.

Each tool reads settings from the scanned repository when left to itself: trivy.yaml and
.trivyignore, .checkov.yaml, .hadolint.yaml, .github/actionlint.yaml, .github/zizmor.yml, bandit's
.bandit (found by walking a folder target), .semgrepignore, and inline pragmas (`# hadolint ignore=`,
`# zizmor: ignore[...]`, `pragma: allowlist secret`). In PR mode the checked-out tree is the pull
request's, so any of them would let a change pass itself.
guard runs every tool without them (real tools here); a pragma becomes an inline waiver guard
records (visible in the outputs, refused above `waivers.forbid_inline_above`), never a silent drop.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from guard import config as config_mod
from guard.model import ScannerRun
from guard.scanners.actionlint import ActionlintScanner
from guard.scanners.bandit import BanditScanner
from guard.scanners.checkov import CheckovScanner
from guard.scanners.detect_secrets import DetectSecretsScanner
from guard.scanners.hadolint import HadolintScanner
from guard.scanners.runner import run_one
from guard.scanners.semgrep import SemgrepScanner
from guard.scanners.trivy import TrivyScanner
from guard.scanners.zizmor import ZizmorScanner
from guard.tools.envs import resolve
from tests.conftest import write_files

BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n'
WORKFLOW = """on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
"""


def needs(tool: str):
    return pytest.mark.skipif(resolve(tool) is None, reason=f"{tool} not installed (guard tools install {tool})")


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = write_files(tmp_path / "repo", files)
    subprocess.run(["git", "init", "-q", str(root)], check=True)  # tools look for their config at the git root
    return root


def scan(scanner: type, root: Path, files: list[str], tmp_path: Path) -> ScannerRun:
    cfg = config_mod.load(root, flags={"cache": False})
    run = run_one(scanner(cfg), root, files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    return run


def rules(run: ScannerRun) -> set[str]:
    return {f.rule_id for f in run.findings}


def waived(run: ScannerRun) -> dict[str, str]:
    return {f.rule_id: str(f.properties["inline_waiver"]) for f in run.findings if f.properties.get("inline_waiver")}


@needs("trivy")
def test_trivy_ignores_the_repositorys_trivy_yaml_trivyignore_and_secret_config(tmp_path: Path) -> None:
    root = repo(tmp_path, {"infra/main.tf": BUCKET, "trivy.yaml": "severity:\n  - CRITICAL\n",
                           ".trivyignore": "AWS-0086\nAWS-0087\nAWS-0089\nAWS-0091\nAWS-0093\n",
                           "keys.py": 'gh = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"\n',
                           "trivy-secret.yaml": "disable-rules:\n  - github-pat\n"})
    found = rules(scan(TrivyScanner, root, ["infra/main.tf", "keys.py"], tmp_path))
    assert {"AWS-0086", "AWS-0087", "AWS-0091", "AWS-0093", "github-pat"} <= found


@needs("checkov")
def test_checkov_ignores_the_repositorys_checkov_yaml(tmp_path: Path) -> None:
    root = repo(tmp_path, {"main.tf": BUCKET, ".checkov.yaml": "skip-check: CKV_AWS_18,CKV_AWS_21,CKV_AWS_145\n"})
    run = scan(CheckovScanner, root, ["main.tf"], tmp_path)
    assert {"CKV_AWS_18", "CKV_AWS_21", "CKV_AWS_145"} <= rules(run)
    assert {f.location.path for f in run.findings} == {"main.tf"}


@needs("hadolint")
def test_hadolint_ignores_the_repositorys_config_and_records_its_pragmas(tmp_path: Path) -> None:
    root = repo(tmp_path, {
        "Dockerfile": "FROM ubuntu:latest\n# install tools\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n",
        ".hadolint.yaml": "ignored:\n  - DL3007\n  - DL3008\n  - DL3015\n",
    })
    run = scan(HadolintScanner, root, ["Dockerfile"], tmp_path)
    assert {"DL3007", "DL3008", "DL3015"} <= rules(run)
    assert waived(run) == {"DL3008": "hadolint pragma above the line (# hadolint ignore=DL3008)"}


@needs("actionlint")
def test_actionlint_ignores_the_repositorys_config(tmp_path: Path) -> None:
    ignore_all = 'paths:\n  .github/workflows/**/*.yml:\n    ignore:\n      - ".*"\n'
    root = repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW, ".github/actionlint.yaml": ignore_all})
    assert "actionlint/untrusted-input" in rules(scan(ActionlintScanner, root, [".github/workflows/ci.yml"], tmp_path))


@needs("zizmor")
def test_zizmor_ignores_the_repositorys_config_and_records_ignore_comments(tmp_path: Path) -> None:
    audits = ["dangerous-triggers", "template-injection", "artipacked", "unpinned-uses", "excessive-permissions"]
    root = repo(tmp_path, {
        ".github/workflows/ci.yml": WORKFLOW.replace("on: pull_request_target",
                                                     "on: pull_request_target  # zizmor: ignore[dangerous-triggers]"),
        ".github/zizmor.yml": "rules:\n" + "".join(f"  {a}:\n    disable: true\n" for a in audits),
    })
    run = scan(ZizmorScanner, root, [".github/workflows/ci.yml"], tmp_path)
    assert {"zizmor/dangerous-triggers", "zizmor/template-injection"} <= rules(run)
    assert list(waived(run)) == ["zizmor/dangerous-triggers"]


@needs("detect-secrets")
def test_detect_secrets_allowlist_pragmas_become_inline_waivers(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.py": 'password = "hunter2hunter2hunter2xyz"  # pragma: allowlist secret\n'
                                     "# pragma: allowlist nextline secret\n"
                                     'token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"\n'
                                     'key = "AKIAIOSFODNN7EXAMPLF"\n'})
    run = scan(DetectSecretsScanner, root, ["app.py"], tmp_path)
    by_line = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings}
    assert by_line[1] and by_line[3] and by_line.get(4) is None


SHELL = "import subprocess\n\n\ndef run(x):\n    subprocess.call(x, shell=True)\n"


@needs("bandit")
def test_bandit_ignores_the_repositorys_bandit_file_and_pyproject(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.py": SHELL, "pkg/app.py": SHELL,
                           ".bandit": "[bandit]\nskips: B602,B404\nexclude: app.py\n",
                           "pyproject.toml": '[tool.bandit]\nskips = ["B602", "B404"]\n'})
    run = scan(BanditScanner, root, ["app.py", "pkg/app.py"], tmp_path)
    assert {(f.path, f.rule_id) for f in run.findings} >= {("app.py", "B602"), ("pkg/app.py", "B602")}


@needs("semgrep")
def test_semgrep_ignores_the_repositorys_semgrepignore(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.py": SHELL, ".semgrepignore": "app.py\n*.py\n"})
    assert any(f.path == "app.py" for f in scan(SemgrepScanner, root, ["app.py"], tmp_path).findings)
