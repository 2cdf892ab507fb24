"""Ctrl-C or SIGTERM ends a scan at once, with the tools it started (each runs in a session of its own,
which a terminal's Ctrl-C does not reach), and exit 130: never 1, which means a policy failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.process_helpers import children, running, slow_tool, wait_for


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


SIGNAL_TO_A_TOOLS_THREAD = r"""
import signal, sys, threading, time
from pathlib import Path
from guard import config
from guard.cli import _interrupt
from guard.scanners.bandit import BanditScanner
from guard.scanners.runner import run_all
from tests.integration.process_helpers import wait_for

repo, fake = Path(sys.argv[1]), Path(sys.argv[2])
signal.signal(signal.SIGTERM, _interrupt)  # as guard's command line sets it
sent = []

def tool_runs() -> bool:  # the tool's run, not its version probe
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes()
        except OSError:  # (ended meanwhile)
            continue
        if bytes(fake) in argv and b"--version" not in argv:
            return True
    return False


def send() -> None:
    wait_for(tool_runs, 60)
    pool = [t.ident for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor") and t.ident]
    signal.pthread_kill(pool[0], signal.SIGTERM)  # the kernel may pick any thread of the process
    sent.append(time.monotonic())

threading.Thread(target=send, daemon=True).start()
cfg = config.load(repo, flags={"cache": False})
try:
    run_all([BanditScanner(cfg)], repo, ["app.py"], repo.parent / "work", cfg)
except KeyboardInterrupt:
    print(f"interrupted {time.monotonic() - sent[0]:.1f} s after the signal")
"""


def test_a_signal_the_kernel_gives_a_tools_thread_still_stops_the_scan(tmp_path: Path) -> None:
    """Python runs signal handlers in the main thread; the main thread waited for the tools on a lock with no
    timeout, which a signal delivered to another thread does not wake: the scan went on for the tool's minute."""
    fake = slow_tool(tmp_path / "slow-bandit", "bandit 1.9.4")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("print('hi')\n")
    (repo / ".guard.yaml").write_text(f"scanners: [bandit]\ntools:\n  bandit: {{path: {fake}}}\n")
    out = subprocess.run([sys.executable, "-c", SIGNAL_TO_A_TOOLS_THREAD, str(repo), str(fake)],
                         cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("interrupted"), out.stderr
    assert float(out.stdout.split()[1]) < 20  # not the tool's minute
    assert wait_for(lambda: not running(fake), 10), "the tool outlived the scan"


SLOW_POLICY = """# METADATA
# title: Compares every finding with every other
# description: Slow on purpose, to be interrupted.
# custom:
#   id: T-SLOW
#   severity: low
#   controls: {soc2: [CC7.1]}
package guard.findings.slow

import rego.v1

deny contains violation if {
\tsome f in input.findings
\tsome g in input.findings
\tf.line + g.line == -1
\tviolation := {"msg": "never", "fingerprint": f.fingerprint}
}
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_while_forked_children_evaluate_the_policies_ends_them_and_the_run(signum: int,
                                                                                     tmp_path: Path) -> None:
    """A large run's finding policies are evaluated by forked children (and their siblings): the main thread
    waited for them without waking for a signal, and nothing stopped them, so the run took as long as they did."""
    from guard.policy.runner import FORK_AT

    repo = tmp_path / "repo"
    (repo / "slow").mkdir(parents=True)
    (repo / "slow" / "slow.rego").write_text(SLOW_POLICY)
    (repo / ".guard.yaml").write_text("policies:\n  paths: [slow]\n")
    (repo / "src").mkdir()
    for i in range(50):
        (repo / "src" / f"m{i}.py").write_text("x = 1\n" * 200)
    results = [{"ruleId": "R1", "level": "warning", "message": {"text": f"problem {i}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"src/m{i % 50}.py"},
                                                    "region": {"startLine": 1 + i % 200}}}]}
               for i in range(FORK_AT + 500)]
    sarif = tmp_path / "other.sarif"
    sarif.write_text(json.dumps({"version": "2.1.0", "runs": [
        {"tool": {"driver": {"name": "other", "rules": [{"id": "R1"}]}}, "results": results}]}))
    env = {k: v for k, v in os.environ.items() if k != "GUARD_RESIDENT"}
    run = subprocess.Popen([sys.executable, "-m", "guard", "import", str(sarif), "--root", str(repo), "--quiet",
                            "--output", str(tmp_path / "out")],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: len(descendants(run.pid)) >= 2, 120), "the policies' children did not start"
    evaluating = descendants(run.pid)
    run.send_signal(signum)
    sent = time.monotonic()
    _out, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert time.monotonic() - sent < 20  # not the policies' minutes
    assert "guard: interrupted" in err
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in evaluating), 10), "a child outlived guard"
    assert not (tmp_path / "out").exists()


def descendants(pid: int) -> list[int]:
    """The processes `pid` forked, and those they forked."""
    found = children(pid)
    return found + [d for child in found for d in descendants(child)]
