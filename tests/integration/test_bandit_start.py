"""guard's start script for bandit (real tool): the pinned version is started by it, finds what bandit's own
script finds, and loads the progress bar's library only when a bar is shown."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

import pytest

from guard.config import Config
from guard.scanners.bandit import START, BanditScanner
from guard.scanners.runner import _executable
from guard.tools.envs import resolve
from tests.conftest import EXAMPLE, findings_by

pytestmark = pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed (guard tools install bandit)")
LOADED = ("import runpy, sys\n"
          "sys.argv = sys.argv[1:]\n"
          "try:\n"
          "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
          "except SystemExit as exc:\n"
          "    print(exc.code, 'rich.console' in sys.modules)\n")


class ThroughItsScript(BanditScanner):
    """bandit started by its own console script."""

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        _python, script, *rest = super().command(exe, target, files, workdir)
        assert script == START
        return [exe, *rest]


def test_the_pinned_bandit_is_started_by_guards_script() -> None:
    exe = _executable(BanditScanner(Config()), Config())
    argv = BanditScanner(Config()).command(exe, Path("."), ["a.py"], Path("work"))
    assert argv[1] == START and Path(argv[0]).name.startswith("python")


def test_guards_start_finds_what_bandits_script_finds(tmp_path: Path) -> None:
    target = tmp_path / "src"
    shutil.copytree(EXAMPLE / "shop", target / "shop")
    (target / "broken.py").write_text("print 'python 2'\n")  # not parsed: a file-not-checked finding
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*.py"))
    started, scripted = findings_by((BanditScanner, ThroughItsScript), target, files, tmp_path)
    assert len(started) >= 8
    assert any(rule == "bandit/file-not-checked" for rule, *_ in started)
    assert started == scripted


@pytest.mark.parametrize("quiet, shown", [(True, False), (False, True)])
def test_the_progress_bar_library_is_loaded_only_for_a_bar(tmp_path: Path, quiet: bool, shown: bool) -> None:
    """bandit shows its bar on a run of more than 50 files logged at INFO level (not quiet)."""
    for i in range(60):
        (tmp_path / f"m{i}.py").write_text("import subprocess\nsubprocess.call('ls', shell=True)\n")
    exe = _executable(BanditScanner(Config()), Config())
    python = Path(BanditScanner(Config()).command(exe, tmp_path, [], tmp_path)[0])
    out = tmp_path / "out.json"
    args = [*(["-q"] if quiet else []), "-f", "json", "-o", str(out), "-r", str(tmp_path)]
    proc = subprocess.run([str(python), "-c", LOADED, START, *args], capture_output=True, text=True, check=False)
    code, loaded = proc.stdout.split()[-2:]  # (bandit prints its INFO lines there too)
    checked = {r["filename"] for r in json.loads(out.read_text())["results"]}
    assert code == "1" and len(checked) == 60  # every file checked either way
    assert loaded == str(shown)
