"""Target 3a: PR mode (`guard scan --diff-base REF`) with one changed file in terragoat: <= 3.5 s.

Builds a scratch git repository from a copy of terragoat with two commits (the second changes one
Terraform file), then times `guard scan --diff-base HEAD~1` three ways: with `--no-cache` (no
scanner result, judged run, parsed file or pack check is reused; the recorded tool versions are);
as the Action runs it on a fresh runner (a cache folder holding only what action.yml restores: the
tool environments with their recorded versions, and the policy-pack, catalog and tool check
records of an earlier run); and with a warm cache (the same commit scanned before). For scale it
also times the full `--no-cache` scan, and for the floor each applicable tool alone on the changed
file (guard's argv: for checkov that includes the module files the change needs): max(slowest tool
alone, tool CPU seconds / cores).

    python bench/pr_mode.py --terragoat /path/to/terragoat [--repeat 3] [--file terraform/aws/s3.tf]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from guard.paths import cache_dir  # noqa: E402

from _common import Timing, committed_copy, git, header, load, median, run_guard, terragoat  # noqa: E402
from full_scan import planned, tools_alone  # noqa: E402

CHANGE = '\nresource "aws_s3_bucket" "bench_changed" {\n  bucket = "bench-changed"\n  acl    = "public-read"\n}\n'


def scratch_repo(src: Path, tmp: Path, changed: str) -> Path:
    repo = committed_copy(src, tmp / "terragoat")
    with open(repo / changed, "a", encoding="utf-8") as fh:
        fh.write(CHANGE)
    git(repo, "commit", "-q", "-am", "change one file")
    return repo


def scan(repo: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> Timing:
    return run_guard("scan", str(repo), "--quiet", "--soft-fail", "--output", str(out), *extra, env=env)


# what action.yml caches between runs
RESTORED = ("tools", "versions.json", "advisories", "policy-checks", "catalogs", "tool-checks")


def action_cache(repo: Path, tmp: Path) -> Path:
    """A cache folder as the Action leaves it on a fresh runner: tools and pack check records from an earlier run."""
    cache = tmp / "action-cache"
    cache.mkdir()
    for name in ("tools", "advisories"):
        if (cache_dir() / name).exists():
            (cache / name).symlink_to(cache_dir() / name)
    scan(repo, tmp / "earlier", env={"GUARD_CACHE_DIR": str(cache)})  # the earlier run on the runner
    return cache


def forget_all_but_restored(cache: Path) -> None:
    for entry in cache.iterdir():
        if entry.name not in RESTORED:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terragoat")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--file", default="terraform/aws/s3.tf")
    args = ap.parse_args()
    header("target 3a: PR mode, one changed file in terragoat")
    tmp = Path(tempfile.mkdtemp(prefix="guard-bench-pr-"))
    repo = scratch_repo(terragoat(args.terragoat), tmp, args.file)
    target, plan = planned(repo, [args.file])
    print("# applicable scanners: " + ", ".join(p.scanner.name for p in plan))
    cache = action_cache(repo, tmp)
    scan(repo, tmp / "out", "--diff-base", "HEAD~1")  # the warm column's earlier scan (guard's own cache)
    cores = os.cpu_count() or 1
    cold, action, warm, full, slowest, floors = [], [], [], [], [], []
    for i in range(args.repeat):
        alone = tools_alone(target, plan)
        name, worst = max(((n, t.wall) for n, t in alone.items()), key=lambda x: x[1])
        slowest.append(worst)
        floors.append(max(worst, sum(t.cpu for t in alone.values()) / cores))
        cold.append(scan(repo, tmp / "out", "--diff-base", "HEAD~1", "--no-cache").wall)
        forget_all_but_restored(cache)
        action.append(scan(repo, tmp / "out", "--diff-base", "HEAD~1", env={"GUARD_CACHE_DIR": str(cache)}).wall)
        warm.append(scan(repo, tmp / "out", "--diff-base", "HEAD~1").wall)
        full.append(scan(repo, tmp / "full", "--no-cache").wall)
        print(f"rep {i + 1}: slowest alone {name} {worst:.2f} s, floor {floors[-1]:.2f} s, "
              f"PR no-cache {cold[-1]:.2f} s, PR as the Action runs it {action[-1]:.2f} s, PR cached {warm[-1]:.2f} s, "
              f"full no-cache {full[-1]:.2f} s ({load()})")
    print(f"\nslowest tool alone      {median(slowest):6.2f} s  (on the changed file, with the module files it needs)")
    print(f"floor                   {median(floors):6.2f} s  (max of the slowest tool and tool CPU / {cores} cores)")
    print(f"PR mode, --no-cache     {median(cold):6.2f} s  (target <= 3.5 s; "
          f"{median([c / s for c, s in zip(cold, slowest)]):.2f}x the slowest tool, "
          f"{median([c / f for c, f in zip(cold, floors)]):.2f}x the floor)")
    print(f"PR mode, Action caches  {median(action):6.2f} s  (fresh runner, tools and check records restored; "
          f"{median([a / f for a, f in zip(action, floors)]):.2f}x the floor)")
    print(f"PR mode, warm cache     {median(warm):6.2f} s")
    print(f"full scan, --no-cache   {median(full):6.2f} s  (PR / full = {median(cold) / median(full):.2f})")
    print(f"# {load()} at end")


if __name__ == "__main__":
    main()
