"""checkov takes a file for a Dockerfile by its name, and `Containerfile` is not one of them: such a
file was reported scanned and never read. It is laid out under a name checkov reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.checkov import CheckovScanner
from guard.tools.envs import resolve
from tests.conftest import scanned

DOCKERFILE = "FROM python:3.12\nRUN apt-get update && apt-get install -y curl\n"


@pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed")
def test_a_containerfile_is_checked_and_its_findings_are_at_the_file(tmp_path: Path) -> None:
    run = scanned(CheckovScanner, tmp_path, {"Containerfile": DOCKERFILE, "app/Containerfile": DOCKERFILE,
                                             "Dockerfile.dev": DOCKERFILE})
    healthcheck = {f.location.path for f in run.findings if f.rule_id == "CKV_DOCKER_2"}
    assert healthcheck == {"Containerfile", "app/Containerfile", "Dockerfile.dev"}
