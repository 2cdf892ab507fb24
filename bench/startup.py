"""`guard --help` start-up time (target < 0.3 s) and its floor, the bare interpreter.

Runs each command `--repeat` times, alternating, and prints min/median. Also prints the slowest
imports `guard --help` pays for (python -X importtime).

    python bench/startup.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import guard_argv, header, load, median, run_timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    header("startup: guard --help")
    commands = {"python -c pass": [sys.executable, "-c", "pass"],
                "python -m guard --help": guard_argv("--help"),
                "python -m guard scan --help": guard_argv("scan", "--help")}
    walls: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.repeat):
        for name, argv in commands.items():
            walls[name].append(run_timed(argv).wall)
    for name, ws in walls.items():
        print(f"{name:30} min {min(ws):.3f} s  median {median(ws):.3f} s")
    guard_help = median(walls["python -m guard --help"])
    print(f"guard --help median {guard_help:.3f} s (target < 0.3 s); over bare interpreter "
          f"{guard_help - median(walls['python -c pass']):.3f} s")
    trace = subprocess.run([sys.executable, "-X", "importtime", *guard_argv("--help")[1:]],
                           capture_output=True, text=True).stderr
    rows = []
    for line in trace.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = [p.strip() for p in line[len("import time:"):].split("|")]
            if parts[1].isdigit():
                rows.append((int(parts[1]), parts[2]))
    print("slowest imports (cumulative us):")
    for us, name in sorted(rows, reverse=True)[:8]:
        print(f"  {us:>8}  {name}")
    print(f"# {load()} at end")


if __name__ == "__main__":
    main()
