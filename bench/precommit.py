"""Target 3b: pre-commit path (`guard scan --staged`) on one staged Python file vs the slowest
applicable tool run alone on that file (guard's own argv): <= 1.2x. Also printed: the hardware
floor max(slowest tool alone, tool CPU seconds / cores) and guard's ratio to it.

Builds a scratch git repository (a copy of terragoat plus one Python file from guard's
insecure-shop example, staged), then alternates: each applicable scanner alone on that file,
and `guard scan --staged` as the hook runs it, with guard's caches as a developer has them: the
staged file gets a new line before every run, so no scanner result is cached, while the pack checks
and parsed catalogs stay remembered (one warm-up run first).

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
    slowest, floors, guards, per = [], [], [], {}
    run_guard("scan", str(repo), "--staged", "--quiet", "--soft-fail", ok=(0, 1))  # warm-up
    for i in range(args.repeat):
        alone = tools_alone(target, plan)
        for name, t in alone.items():
            per.setdefault(name, []).append(t.wall)
        with open(repo / STAGED, "a", encoding="utf-8") as fh:
            fh.write(f"# edit {i}\n")  # new content: every scanner runs
        git(repo, "add", STAGED)
        g = run_guard("scan", str(repo), "--staged", "--quiet", "--soft-fail", ok=(0, 1))
        name, worst = max(((n, t.wall) for n, t in alone.items()), key=lambda x: x[1])
        floor = max(worst, sum(t.cpu for t in alone.values()) / cores)
        slowest.append(worst)
        floors.append(floor)
        guards.append(g.wall)
        print(f"rep {i + 1}: slowest alone {name} {worst:.2f} s, floor {floor:.2f} s, guard --staged {g.wall:.2f} s, "
              f"ratio {g.wall / worst:.2f} ({load()})")
    print(f"\n{'tool alone':16} {'median wall s':>14}")
    for name, ws in per.items():
        print(f"{name:16} {median(ws):14.3f}")
    print(f"\nslowest tool alone      {median(slowest):6.2f} s")
    print(f"floor (tool CPU/{cores}, slowest) {median(floors):6.2f} s")
    print(f"guard scan --staged     {median(guards):6.2f} s")
    print(f"guard / slowest = {median([g / s for g, s in zip(guards, slowest)]):.2f}  (target <= 1.2); "
          f"guard / floor = {median([g / f for g, f in zip(guards, floors)]):.2f}")
    print(f"# {load()} at end")


if __name__ == "__main__":
    main()
