"""Ctrl-C or SIGTERM ends a scan at once, with the tools it started (each runs in a session of its own,
which a terminal's Ctrl-C does not reach), and exit 130: never 1, which means a policy failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.process_helpers import running, slow_tool, wait_for


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("slow_in", ["run", "version probe"])
def test_an_interrupted_scan_stops_its_tools_and_exits_130(signum: int, slow_in: str, tmp_path: Path) -> None:
    fake = slow_tool(tmp_path / "slow-bandit", "bandit 1.9.4", slow_version=slow_in == "version probe")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("print('hi')\n")
    (repo / ".guard.yaml").write_text(f"scanners: [bandit]\ntools:\n  bandit: {{path: {fake}}}\n")
    env = {k: v for k, v in os.environ.items() if k != "GUARD_RESIDENT"}
    scan = subprocess.Popen([sys.executable, "-m", "guard", "scan", str(repo), "--no-cache", "--quiet"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: running(fake), 60), "the tool did not start"
    scan.send_signal(signum)
    sent = time.monotonic()
    _out, err = scan.communicate(timeout=30)
    assert scan.returncode == 130, err
    assert time.monotonic() - sent < 20  # not the tool's minute
    assert "guard: interrupted" in err
    assert wait_for(lambda: not running(fake), 10), "the tool outlived guard"
