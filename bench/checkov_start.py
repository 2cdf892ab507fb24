"""Target 3a's floor: checkov started by its own script vs by guard (`checkov_start`, only the
frameworks asked for loaded), alternating, on one changed terragoat file laid out as guard lays it out.

Prints wall and CPU seconds per pair and their medians; both runs must report the same results.

    python bench/checkov_start.py --terragoat /path/to/terragoat [--repeat 8] [--file terraform/aws/s3.tf]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from guard import config as config_mod  # noqa: E402
from guard.scanners.checkov import OUTPUT, CheckovScanner  # noqa: E402
from guard.tools.envs import resolve  # noqa: E402

from _common import failed, header, median, run_timed, terragoat  # noqa: E402


def results(workdir: Path) -> list[tuple]:
    doc = json.loads((workdir / OUTPUT).read_text())
    return sorted((outcome, r["check_id"], r["resource"], r["file_path"])
                  for report in (doc if isinstance(doc, list) else [doc])
                  for outcome in ("passed_checks", "failed_checks") for r in report["results"][outcome])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terragoat")
    ap.add_argument("--repeat", type=int, default=8)
    ap.add_argument("--file", default="terraform/aws/s3.tf")
    args = ap.parse_args()
    header("target 3a floor: checkov's script vs guard's start, one changed file")
    root = terragoat(args.terragoat)
    tool = resolve("checkov")
    if tool is None:
        raise SystemExit("checkov not installed: guard tools install checkov")
    scanner = CheckovScanner(config_mod.load(root, flags={"cache": False}))
    work = Path(tempfile.mkdtemp(prefix="guard-bench-checkov-"))
    scanner.stage(root, [args.file], work)
    guards = scanner.command(tool.executable, root, [args.file], work)
    script = [tool.executable, *guards[2:]]
    env = {**os.environ, **scanner.env()}
    print(f"# guard starts it as: {' '.join(guards[:2])}")
    walls: dict[str, list[float]] = {"script": [], "guard": []}
    cpus: dict[str, list[float]] = {"script": [], "guard": []}
    seen: dict[str, list[tuple]] = {}
    for i in range(args.repeat):
        for name, argv in (("script", script), ("guard", guards)):
            t = run_timed(argv, cwd=work, env=env)
            if t.code not in (0, 1):
                raise failed(argv, t.code, env)
            walls[name].append(t.wall)
            cpus[name].append(t.cpu)
            seen[name] = results(work)
        print(f"pair {i + 1}: script {walls['script'][-1]:.2f} s ({cpus['script'][-1]:.2f} s CPU), "
              f"guard {walls['guard'][-1]:.2f} s ({cpus['guard'][-1]:.2f} s CPU)", flush=True)
    if seen["script"] != seen["guard"]:
        raise SystemExit("the two starts reported different results")
    ws, wg = median(walls["script"]), median(walls["guard"])
    print(f"\nmedian wall: script {ws:.2f} s, guard {wg:.2f} s ({wg / ws:.2f}x)")
    print(f"median CPU:  script {median(cpus['script']):.2f} s, guard {median(cpus['guard']):.2f} s")
    print(f"same {len(seen['guard'])} results from both")


if __name__ == "__main__":
    main()
