"""Target 3b: pre-commit path (`guard scan --staged`) on one staged Python file vs the slowest
applicable tool run alone on that file (guard's own argv): <= 1.2x. Also printed: the hardware
floor max(slowest tool alone, tool CPU seconds / cores) and guard's ratio to it.

Builds a scratch git repository (a copy of terragoat plus one Python file from guard's
insecure-shop example, staged), then alternates: each applicable scanner alone on that file,
`guard scan --staged` as the hook runs it, and the same through a resident guard process
(`GUARD_RESIDENT`, the `guard-resident` hook), with guard's caches as a developer has them: the
staged file gets a line no run has seen before every run, so no scanner result is cached, while the pack checks
and parsed catalogs stay remembered (one warm-up run of each first; the resident process exits a
minute after the last).

    python bench/precommit.py --terragoat /path/to/terragoat [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import committed_copy, git, header, load, median, run_guard, terragoat  # noqa: E402
from full_scan import planned, tools_alone  # noqa: E402

PY_FILE = Path(__file__).resolve().parent.parent / "examples" / "insecure-shop" / "shop" / "app.py"
STAGED = "app/handlers.py"
RESIDENT = {"GUARD_RESIDENT": "1"}  # minutes the resident process waits for the next scan
IN_PROCESS = {"GUARD_RESIDENT": "0"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terragoat")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    header("target 3b: pre-commit, one staged Python file")
    tmp = Path(tempfile.mkdtemp(prefix="guard-bench-precommit-"))
    repo = committed_copy(terragoat(args.terragoat), tmp / "terragoat")
    (repo / STAGED).parent.mkdir(parents=True)
    shutil.copyfile(PY_FILE, repo / STAGED)
    git(repo, "add", STAGED)
    target, plan = planned(repo, [STAGED])
    print("# applicable scanners: " + ", ".join(p.scanner.name for p in plan))
    cores = os.cpu_count() or 1
    slowest, floors, guards, residents, per = [], [], [], [], {}
    hook = ("scan", str(repo), "--staged", "--quiet", "--soft-fail")
    run_id = os.urandom(8).hex()
    run_guard(*hook, env=IN_PROCESS, ok=(0, 1))  # warm-up
    run_guard(*hook, env=RESIDENT, ok=(0, 1))  # runs in-process and starts the resident process
    for i in range(args.repeat):
        alone = tools_alone(target, plan)
        for name, t in alone.items():
            per.setdefault(name, []).append(t.wall)
        edit(repo, f"edit {i} {run_id}")  # content no run has seen (cache entries are keyed by content): every
        g = run_guard(*hook, env=IN_PROCESS, ok=(0, 1))  # scanner runs, in this benchmark run and the next
        edit(repo, f"resident edit {i} {run_id}")
        r = run_guard(*hook, env=RESIDENT, ok=(0, 1))
        name, worst = max(((n, t.wall) for n, t in alone.items()), key=lambda x: x[1])
        floor = max(worst, sum(t.cpu for t in alone.values()) / cores)
        slowest.append(worst)
        floors.append(floor)
        guards.append(g.wall)
        residents.append(r.wall)
        print(f"rep {i + 1}: slowest alone {name} {worst:.2f} s, floor {floor:.2f} s, guard --staged {g.wall:.2f} s, "
              f"resident {r.wall:.2f} s, ratio {g.wall / worst:.2f} / {r.wall / worst:.2f} ({load()})")
    print(f"\n{'tool alone':16} {'median wall s':>14}")
    for name, ws in per.items():
        print(f"{name:16} {median(ws):14.3f}")
    print(f"\nslowest tool alone      {median(slowest):6.2f} s")
    print(f"floor (tool CPU/{cores}, slowest) {median(floors):6.2f} s")
    print(f"guard scan --staged     {median(guards):6.2f} s")
    print(f"  resident              {median(residents):6.2f} s")
    if 1.2 * median(slowest) < median(floors):
        print(f"1.2 x the slowest tool = {1.2 * median(slowest):.2f} s is below the floor: no schedule of these tools "
              f"alone meets the target on {cores} cores")
    for label, walls in (("guard", guards), ("resident", residents)):
        print(f"{label} / slowest = {median([g / s for g, s in zip(walls, slowest)]):.2f}  (target <= 1.2); "
              f"{label} / floor = {median([g / f for g, f in zip(walls, floors)]):.2f}")
    print(f"# {load()} at end")


def edit(repo: Path, line: str) -> None:
    with open(repo / STAGED, "a", encoding="utf-8") as fh:
        fh.write(f"# {line}\n")
    git(repo, "add", STAGED)


if __name__ == "__main__":
    main()
