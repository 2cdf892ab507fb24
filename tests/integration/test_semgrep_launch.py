"""How a tool's process is started (`ToolScanner.launch`): the runner starts what a scanner's launch says, and
semgrep's (real tool) starts semgrep-core as `osemgrep` itself, as semgrep's console script would, with the
same findings."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pytest

from guard.config import Config, ToolSettings
from guard.model import Category, Finding, Location, Rule, Severity, Status
from guard.scanners.base import Invocation, Launch, ToolScanner
from guard.scanners.runner import _executable, run_one
from guard.scanners.semgrep import SemgrepScanner
from guard.tools.envs import resolve
from tests.conftest import EXAMPLE, findings_by

needs_semgrep = pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
RECORD = "import os, sys; open('started', 'w').write(sys.orig_argv[0] + ' ' + os.environ['LAUNCHED'])"


class LaunchedScanner(ToolScanner):
    """Its command is a script that records nothing; its launch, Python recording the name it was started
    under and the environment it was given (one finding when that record is there)."""

    name = "launched"
    tool = "bandit"  # resolved through config tools.bandit.path
    patterns = ("*.py",)

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        return [exe, *files]

    def launch(self, argv: Sequence[str], env: Mapping[str, str]) -> Launch:
        return Launch(sys.executable, ["started-as", "-c", RECORD], {**env, "LAUNCHED": "with-this-env"})

    def parse(self, run: Invocation) -> Iterable[Finding]:
        record = run.target / "started"
        if record.exists():
            yield Finding(tool=self.name, rule=Rule("L1", "l", "l", "l", "l"), message=record.read_text(),
                          severity=Severity.LOW, category=Category.SAST, location=Location("a.py", 1, 1))


def test_the_runner_starts_what_a_scanners_launch_says(tmp_path: Path, own_cache: Path) -> None:
    script = tmp_path / "tool"
    script.write_text('#!/bin/sh\n[ "$1" = "--version" ] && echo "tool 1.0.0"\nexit 0\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    target = tmp_path / "src"
    target.mkdir()
    (target / "a.py").write_text("print(1)\n")
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    run = run_one(LaunchedScanner(cfg), target, ["a.py"], tmp_path / "work", cfg)
    assert run.status is Status.OK, run.reason
    assert [f.message for f in run.findings] == ["started-as with-this-env"]


@pytest.fixture
def semgrep_argv(tmp_path: Path) -> tuple[SemgrepScanner, list[str], dict[str, str]]:
    scanner = SemgrepScanner(Config())
    argv = scanner.command(_executable(scanner, Config()), tmp_path, ["app.py"], tmp_path / "work")
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    return scanner, argv, {**env, **scanner.env()}


@needs_semgrep
def test_semgrep_core_is_started_as_osemgrep_with_what_semgreps_script_sets(
        semgrep_argv: tuple[SemgrepScanner, list[str], dict[str, str]]) -> None:
    scanner, argv, env = semgrep_argv
    how = scanner.launch(argv, env)
    script_folder = str(Path(argv[0]).resolve().parent)
    assert how.executable == str(next(Path(script_folder).parent.glob("lib/python*/site-packages/semgrep/bin"))
                                  / "semgrep-core")
    assert how.argv == ["osemgrep", *argv[1:]]
    assert how.env["PATH"] == env.get("PATH", "") + os.pathsep + script_folder  # where osemgrep finds pysemgrep
    assert how.env["NO_COLOR"] == "1"  # its output is no terminal
    assert "NO_COLOR" not in scanner.launch(argv, {**env, "FORCE_COLOR": "1"}).env  # unless colour is asked for


@needs_semgrep
@pytest.mark.parametrize("change", [lambda a: [*a, "--pro"], lambda a: [*a[:-2], "--legacy", *a[-2:]],
                                    lambda a: [x for x in a if x != "--experimental"]])
def test_semgrep_runs_through_its_script_for_a_pro_legacy_or_default_run(
        semgrep_argv: tuple[SemgrepScanner, list[str], dict[str, str]], change) -> None:
    scanner, argv, env = semgrep_argv
    other = change(argv)
    assert scanner.launch(other, env) == Launch(argv[0], other, env)


class ThroughItsScript(SemgrepScanner):
    launch = ToolScanner.launch


@needs_semgrep
def test_semgrep_started_directly_finds_what_its_script_finds(tmp_path: Path, own_cache: Path) -> None:
    files = ["shop/app.py", "shop/db.py", "terraform/main.tf", "Dockerfile", "k8s/deployment.yaml"]
    started, scripted = findings_by((SemgrepScanner, ThroughItsScript), EXAMPLE, files, tmp_path)
    assert len(started) >= 5
    assert started == scripted
