"""Target 1: full scan of terragoat vs the hardware floor and vs the same tools with default flags.

In one run, on a scratch copy of terragoat (no .git):
  1. every applicable scanner alone, with exactly the argv guard builds (wall + CPU of its process
     tree via os.wait4; guard's in-process scanners timed in this process);
  2. `guard scan --no-cache` (all applicable scanners, outputs written);
  3. once (--baseline-repeat): the same tools one after another with their default flags
     (DEFAULT_ARGV below; no offline switches, so e.g. semgrep waits for its version check).
floor = max(slowest tool alone, total tool CPU seconds / cores). Targets: guard <= 1.15x floor,
baseline >= 2.5x guard.

    python bench/full_scan.py --terragoat /path/to/terragoat [--repeat 3] [--baseline-repeat 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Timing, copy_tree, header, load, median, run_guard, run_timed, terragoat  # noqa: E402

# The tools' default invocations (cwd = the scanned tree). trivy's default `fs` scanners are
# vuln+secret and vuln needs a database download, so the baseline asks for the checks guard runs.
DEFAULT_ARGV = {
    "checkov": lambda exe, files, s: [exe, "-d", "."],
    "semgrep": lambda exe, files, s: [exe, *[a for p in s.cache_inputs() for a in ("--config", str(p))], "."],
    "trivy": lambda exe, files, s: [exe, "fs", "--scanners", "misconfig,secret", "."],
    "detect-secrets": lambda exe, files, s: [exe, "scan", "--all-files", "."],
    "bandit": lambda exe, files, s: [exe, "-r", "."],
    "hadolint": lambda exe, files, s: [exe, *files],
    "zizmor": lambda exe, files, s: [exe, "."],
    "actionlint": lambda exe, files, s: [exe, *files],
}


@dataclass(frozen=True)
class Planned:
    """One applicable scanner as guard would run it: `argv` None for an in-process scanner; `executable` the
    file run for `argv` (see `ToolScanner.launch`)."""

    scanner: Any
    files: list[str]
    argv: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    exe: str = ""
    executable: str | None = None


def planned(target: Path, only_files: list[str] | None = None) -> tuple[Path, list[Planned]]:
    """Each applicable scanner with guard's argv, environment and working folder, and what the tool
    reads laid out as guard lays it out (checkov's folder of links)."""
    from guard import pipeline
    from guard.config import load as load_config
    from guard.scanners.base import Scanner
    from guard.scanners.runner import _executable

    cfg = load_config(target, None, flags={})
    p = pipeline.plan(target, cfg, only_files)
    out = []
    work = Path(tempfile.mkdtemp(prefix="guard-bench-work-"))
    for s in p.scanners:
        files = s.select(p.files.files)
        if not files:
            continue
        if isinstance(s, Scanner):
            exe, workdir = _executable(s, cfg), work / s.name
            workdir.mkdir(parents=True)
            how = s.launch(s.command(exe, p.target, files, workdir), {**os.environ, **s.env()})
            s.stage(p.target, files, workdir)
            out.append(Planned(s, files, how.argv, how.env, s.cwd(p.target, workdir), exe, how.executable))
        else:
            out.append(Planned(s, files))
    return p.target, out


def time_builtin(scanner, target: Path, files) -> Timing:
    work = Path(tempfile.mkdtemp(prefix="guard-bench-builtin-"))
    w0, c0 = time.perf_counter(), time.process_time()
    list(scanner.scan(target, files, work))
    return Timing(time.perf_counter() - w0, time.process_time() - c0, 0.0, 0)


def run_planned(target: Path, item: Planned) -> Timing:
    """One planned scanner alone, with guard's argv, environment and working folder."""
    if item.argv is None:
        return time_builtin(item.scanner, target, item.files)
    return run_timed(item.argv, cwd=item.cwd, env=item.env, executable=item.executable)


def tools_alone(target: Path, plan: list[Planned]) -> dict[str, Timing]:
    """Each planned scanner alone, with guard's own argv and environment."""
    return {item.scanner.name: run_planned(target, item) for item in plan}


def tools_at_once(target: Path, plan: list[Planned]) -> float:
    """The same argv as guard, `cores` at a time, longest first (guard's order), without guard itself."""
    from concurrent.futures import ThreadPoolExecutor

    order = sorted(plan, key=lambda item: -item.scanner.cost)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(lambda item: run_planned(target, item), order))
    return time.perf_counter() - start


def baseline(target: Path, plan: list[Planned]) -> tuple[float, dict[str, Timing]]:
    per = {}
    start = time.perf_counter()
    for item in plan:
        if item.argv is None:
            per[item.scanner.name] = run_planned(target, item)
        else:
            argv = DEFAULT_ARGV[item.scanner.name](item.exe, item.files, item.scanner)
            per[item.scanner.name] = run_timed(argv, cwd=target, timeout=900)
    return time.perf_counter() - start, per


def guard_scan(target: Path, out: Path) -> Timing:
    return run_guard("scan", str(target), "--no-cache", "--quiet", "--soft-fail", "--output", str(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terragoat")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-repeat", type=int, default=1)
    args = ap.parse_args()
    src = terragoat(args.terragoat)
    header("target 1: full scan of terragoat")
    tmp = Path(tempfile.mkdtemp(prefix="guard-bench-full-"))
    target, plan = planned(copy_tree(src, tmp / "terragoat"))
    missing = [p.scanner.name for p in plan if p.argv is not None and p.scanner.name not in DEFAULT_ARGV]
    print("# applicable scanners: " + ", ".join(p.scanner.name for p in plan))
    cores = os.cpu_count() or 1
    rows: dict[str, list[Timing]] = {}
    floors, guards, at_once, with_own = [], [], [], []
    for i in range(args.repeat):
        alone = tools_alone(target, plan)
        for name, t in alone.items():
            rows.setdefault(name, []).append(t)
        floor = max(max(t.wall for t in alone.values()), sum(t.cpu for t in alone.values()) / cores)
        together = tools_at_once(target, plan)
        g = guard_scan(target, tmp / f"out{i}")
        floors.append(floor)
        guards.append(g)
        at_once.append(together)
        tools_cpu = sum(t.cpu for t in alone.values())
        with_own.append(max(floor, (tools_cpu + max(0.0, g.cpu - tools_cpu)) / cores))
        print(f"rep {i + 1}: floor {floor:.2f} s, tools at once {together:.2f} s, guard {g.wall:.2f} s wall "
              f"{g.cpu:.2f} s CPU, ratio {g.wall / floor:.2f} ({load()})")
    print(f"\n{'tool alone':16} {'wall s':>8} {'CPU s':>8}   (medians of {args.repeat})")
    for name, ts in rows.items():
        print(f"{name:16} {median([t.wall for t in ts]):8.2f} {median([t.cpu for t in ts]):8.2f}")
    base_walls = []
    base_per: dict[str, list[Timing]] = {}
    for _ in range(args.baseline_repeat):
        wall, per = baseline(target, [p for p in plan if p.scanner.name not in missing])
        base_walls.append(wall)
        for name, t in per.items():
            base_per.setdefault(name, []).append(t)
    print(f"\n{'default flags':16} {'wall s':>8} {'CPU s':>8}   (one after another, {args.baseline_repeat} run(s))")
    for name, ts in base_per.items():
        print(f"{name:16} {median([t.wall for t in ts]):8.2f} {median([t.cpu for t in ts]):8.2f}")
    g_wall, floor, base = median([g.wall for g in guards]), median(floors), median(base_walls)
    ratios = [g.wall / f for g, f in zip(guards, floors)]
    print(f"\nfloor (median)             {floor:8.2f} s  = max(slowest alone, CPU/{cores} cores)")
    print(f"tools at once, no guard    {median(at_once):8.2f} s  (guard's argv, {cores} at a time, longest first)")
    print(f"guard scan --no-cache      {g_wall:8.2f} s  (CPU {median([g.cpu for g in guards]):.2f} s, "
          f"peak RSS {max(g.max_rss_mb for g in guards):.0f} MB)")
    print(f"with guard's own CPU       {median(with_own):8.2f} s  = {median(with_own) / floor:.2f}x the floor: its CPU "
          f"beyond the tools' alone (config policies, judging, imports, reading the tools' outputs) over {cores} cores")
    print(f"default flags, sequential  {base:8.2f} s")
    print(f"guard / floor   = {median(ratios):.2f}  (target <= 1.15; per rep: {', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"baseline / guard = {base / g_wall:.2f}  (target >= 2.5)")
    if missing:
        print("# no default-flags recipe for: " + ", ".join(missing))
    print(f"# {load()} at end")


if __name__ == "__main__":
    main()
