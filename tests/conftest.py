"""Shared test fixtures: paths of the checkout and a helper to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from guard.model import ScannerRun

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "insecure-shop"
SHARED = ROOT.parent / "shared"


def run_guard(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run `python -m guard ARGS` as a user would, capturing output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "guard", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """`root` holding each of `files` (repository path -> text), folders made as needed."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def scanned(scanner: type, root: Path, files: dict[str, str]) -> "ScannerRun":
    """`files` written under `root` and scanned by the real tool behind `scanner` (a scanner class),
    with the configuration in `root` and no cache; the run must be OK."""
    from guard import config as config_mod
    from guard.scanners.runner import run_one

    write_files(root, files)
    cfg = config_mod.load(root, flags={"cache": False})
    run = run_one(scanner(cfg), root, sorted(files), root / "work", cfg)
    assert run.status.value == "ok", run.reason
    return run


def findings_by(scanners: tuple[type, ...], root: Path, files: list[str], work: Path) -> list[list[tuple]]:
    """The findings of each scanner class (its real tool, the default configuration, no cache) on `files` under
    `root`, as sorted (rule, path, line, message); each run must be OK."""
    from guard.config import Config
    from guard.scanners.runner import run_one

    found = []
    for scanner in scanners:
        run = run_one(scanner(Config()), root, files, work / scanner.__name__, Config())
        assert run.status.value == "ok", run.reason
        found.append(sorted((f.rule.id, f.location.path, f.location.start_line, f.message) for f in run.findings))
    return found


def scannable_tree(root: Path) -> Path:
    """A small tree every tool scanner has something to scan in (for fault tests)."""
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "app.py").write_text("import os\nos.system(input())\n")
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (root / "Dockerfile").write_text("FROM python:3.12\nRUN echo hi\n")
    (root / "shop.image.tar").write_bytes(b"not really an image")
    (root / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n")
    return root


@pytest.fixture
def guard_cli():
    return run_guard
