"""Shared helpers for the benchmark scripts: child-process timing (wall + CPU of the whole process
tree), the terragoat checkout, the machine description, medians.

Every script measures its target and its floor/baseline in the same run, so the ratios hold on a
shared, loaded machine even when the absolute seconds do not.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

TERRAGOAT_HELP = ("terragoat checkout needed: `git clone https://github.com/bridgecrewio/terragoat` and pass its "
                  "path as --terragoat PATH or set GUARD_BENCH_TERRAGOAT")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # user + system seconds of the child and everything it waited for
    max_rss_mb: float
    code: int


def run_timed(argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
              timeout: float = 1800, stdout: int | None = subprocess.DEVNULL, executable: str | None = None) -> Timing:
    """Run argv (`executable`: the file run, else argv[0]) as its own process group; wall clock and the rusage
    of the whole tree (os.wait4)."""
    full_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), executable=executable, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                            stdout=stdout, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, 9)
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Timing(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def failed(argv: Sequence[str], code: int, env: Mapping[str, str] | None = None) -> SystemExit:
    """An exit naming the command, with the last stderr lines of a re-run (the timed run discards output)."""
    again = subprocess.run(list(argv), env={**os.environ, **(env or {})}, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL)
    tail = "\n".join(again.stderr.strip().splitlines()[-5:])
    return SystemExit(f"{' '.join(argv)} exited {code} (re-run exited {again.returncode}):\n{tail}")


def run_guard(*args: str, env: Mapping[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> Timing:
    """Time one `guard ARGS` run; any exit code outside `ok` ends the benchmark naming the command."""
    argv = guard_argv(*args)
    t = run_timed(argv, env=env)
    if t.code not in ok:
        raise failed(argv, t.code, env)
    return t


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def terragoat(arg: str | None) -> Path:
    path = arg or os.environ.get("GUARD_BENCH_TERRAGOAT")
    if not path or not (Path(path) / "terraform").is_dir():
        raise SystemExit(TERRAGOAT_HELP + (f" ({path} is not a terragoat checkout)" if path else ""))
    return Path(path).resolve()


def copy_tree(src: Path, dst: Path) -> Path:
    """A scratch copy of a checkout without its .git (benchmarks never touch the original)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    return dst


def committed_copy(src: Path, dst: Path) -> Path:
    """A scratch copy of a checkout (see `copy_tree`) as a fresh git repository with one commit."""
    repo = copy_tree(src, dst)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def guard_argv(*args: str) -> list[str]:
    """`guard ...` through this interpreter (the installed console script does the same)."""
    return [sys.executable, "-m", "guard", *args]


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        mem = "? RAM"
    return f"{os.cpu_count()} cores ({model}), {mem}, Python {platform.python_version()}"


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load ?"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def pace() -> str:
    """How fast this machine runs Python right now: a fixed loop of 10M additions (1.07 s and 1.52 s
    forty minutes apart on the machine of BENCHMARKS.md), to compare runs made at different times."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return f"pace {time.perf_counter() - started:.2f} s (10M-addition loop)"


def compile_guard() -> None:
    """Write guard's bytecode, as `pip install` does for an installed package.

    An editable install is compiled on first import, unless PYTHONDONTWRITEBYTECODE is set (as on
    the machine these figures come from): then every guard start would compile its modules anew.
    """
    import compileall

    import guard

    compileall.compile_dir(str(Path(guard.__file__).parent), quiet=1)


def header(title: str) -> None:
    compile_guard()
    print(f"# {title}")
    print(f"# {machine()}; {load()} at start; {pace()}")
