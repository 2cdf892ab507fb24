"""Target 2: re-scan with nothing changed vs the cold scan, measured in one run.

On a scratch copy of terragoat with a private result cache (GUARD_CACHE_DIR pointing at a fresh
folder that links the installed tool environments and advisory database): a cold scan (empty
cache), then warm re-scans. Target: warm <= 10% of cold.

Then one file is edited (by default a Terraform file) and the tree scanned again: the tools that judge
each file alone run on that file only; checkov, and trivy on a Terraform tree, judge a module as a whole
and run again. Printed per scanner: seconds in the cold scan and after the edit, and the files whose
findings came from the cache. `--tree` and `--edit` measure another tree (guard's own checkout, say).

    python bench/rescan.py --terragoat /path/to/terragoat [--repeat 3]
    python bench/rescan.py --tree . --edit guard/pipeline.py --skip-scanners osv
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Timing, copy_tree, header, load, median, run_guard, terragoat  # noqa: E402


def private_cache(tmp: Path) -> Path:
    """A fresh guard cache folder sharing only the installed tools and the advisory database."""
    from guard.paths import cache_dir

    real, cache = cache_dir(), tmp / "cache"
    cache.mkdir(parents=True)
    for shared in ("tools", "advisories"):
        if (real / shared).exists():
            (cache / shared).symlink_to(real / shared)
    return cache


def scan(target: Path, out: Path, cache: Path, skip: str | None) -> Timing:
    return run_guard("scan", str(target), "--quiet", "--soft-fail", "--output", str(out),
                     *(["--skip-scanners", skip] if skip else []), env={"GUARD_CACHE_DIR": str(cache)})


def scanners(out: Path) -> dict[str, dict]:
    return {s["scanner"]: s for s in json.loads((out / "findings.json").read_text())["scanners"]
            if s["status"] == "ok"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terragoat")
    ap.add_argument("--tree", help="scan this tree instead of terragoat (a scratch copy of it)")
    ap.add_argument("--edit", default="terraform/aws/ec2.tf", help="the file edited before the last re-scan")
    ap.add_argument("--skip-scanners", help="passed to guard scan (osv, say, for a tree with lockfiles of every kind)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    source = Path(args.tree).resolve() if args.tree else terragoat(args.terragoat)
    header(f"target 2: re-scan of {source.name} with nothing changed, then with {args.edit} edited")
    tmp = Path(tempfile.mkdtemp(prefix="guard-bench-rescan-"))
    target = copy_tree(source, tmp / "tree")
    if not (target / args.edit).is_file():
        raise SystemExit(f"{args.edit}: no such file in {source}")
    colds, warms, edits = [], [], []
    for i in range(args.repeat):
        cache = private_cache(tmp / f"rep{i}")
        cold = scan(target, tmp / "cold", cache, args.skip_scanners)
        warm = [scan(target, tmp / "out", cache, args.skip_scanners) for _ in range(2)]
        with open(target / args.edit, "a", encoding="utf-8") as fh:
            fh.write(f"# edit {i}\n")
        edit = scan(target, tmp / "edit", cache, args.skip_scanners)
        colds.append(cold.wall)
        warms.append(median([w.wall for w in warm]))
        edits.append(edit.wall)
        print(f"rep {i + 1}: cold {cold.wall:.2f} s, warm {', '.join(f'{w.wall:.2f}' for w in warm)} s, "
              f"ratio {warms[-1] / cold.wall:.3f}; after the edit {edit.wall:.2f} s ({load()})")
        shutil.rmtree(cache, ignore_errors=True)
    before, after = scanners(tmp / "cold"), scanners(tmp / "edit")
    print(f"\nlast rep, {args.edit} edited: scanner, seconds cold -> after the edit, files from the cache")
    for name, run in after.items():
        print(f"  {name:15} {before[name]['seconds']:6.2f} -> {run['seconds']:6.2f} s  "
              f"{'all' if run['cached'] else run['files_cached']} of {run['files_scanned']}")
    ratios = [w / c for w, c in zip(warms, colds)]
    print(f"\ncold scan (empty cache)   {median(colds):6.2f} s")
    print(f"re-scan, nothing changed  {median(warms):6.2f} s")
    edited = median([e / c for e, c in zip(edits, colds)])
    print(f"re-scan, one file edited  {median(edits):6.2f} s  ({edited:.3f} of cold)")
    print(f"re-scan / cold = {median(ratios):.3f}  (target <= 0.10)")
    print(f"# {load()} at end")


if __name__ == "__main__":
    main()
