"""Target 4: N synthetic findings through dedup -> policies (regorus) -> controls -> SARIF + JSON.

Each size runs in a fresh process so peak RSS is that size's own. Prints wall seconds, peak RSS
(of guard's process, and of the largest child it forked for the finding policies or the writers:
pages they share are counted in both), the cost per 10k findings (linear growth keeps it flat) and, as a floor, the policy engine alone
reading the same findings and evaluating the finding policies (measured after the run).

    python bench/findings_scale.py            # 10k, 100k
    python bench/findings_scale.py 10000 100000 1000000
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _common import header  # noqa: E402

CORES = len(os.sched_getaffinity(0))

CHILD = r'''
import datetime as dt, gc, json, resource, sys, time
from guard.cli import GC_THRESHOLD
gc.set_threshold(*GC_THRESHOLD)  # as the guard command sets it
from pathlib import Path
from guard.config import Config
from guard import pipeline
from guard.commands.outputs import Outputs

n, root, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, sys.argv[4])
from synthetic import synthetic_runs
runs = synthetic_runs(n)
cfg = Config(scanners=[], fail_on="critical")

def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

c0 = cpu_seconds()
t0 = time.perf_counter()
writer = Outputs(out)  # as `guard scan -o` writes: guard.sarif begun once the run is settled
result = pipeline.run_imported(root, runs, cfg, settled=writer.begin)
t1 = time.perf_counter()
writer.write(result)
t2 = time.perf_counter()
cpu_s = cpu_seconds() - c0
# the policy engine alone: reading the findings input and evaluating the finding policies over it
from guard import jsonenc
from guard.policy.base import PolicyContext
from guard.policy.runner import findings_input, prepare
ready = prepare(cfg, root)
text = jsonenc.dumps(findings_input(result.findings, PolicyContext(str(root), None, None, tuple(cfg.frameworks),
                                                                    cfg.fail_on))).decode()
refs = [f"{m.ref}.deny" for m in ready.pack.policies if m.meta is not None and m.meta.input == "findings"]
t3 = time.perf_counter()
ready.engine._engine.set_input_json(text)
for ref in refs:
    ready.engine._engine.eval_rule_as_json(ref)
engine_s = time.perf_counter() - t3
print(json.dumps({"n": n, "judge_s": t1 - t0, "write_s": t2 - t1, "total_s": t2 - t0, "engine_s": engine_s, "cpu_s": cpu_s,
                  "findings_out": len(result.findings), "controls": len(result.controls),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
'''


def measure(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root, out = Path(tmp) / "repo", Path(tmp) / "out"
        root.mkdir()
        proc = subprocess.run([sys.executable, "-c", CHILD, str(n), str(root), str(out), str(BENCH)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"size {n} failed:\n{proc.stderr[-2000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    header("Target 4: synthetic findings through the later stages")
    print(f"{'findings':>10} {'judge s':>8} {'write s':>8} {'total s':>8} {'s/10k':>7} {'peak MB':>8} {'child MB':>9} "
          f"{'engine s':>9} {'CPU s':>6} {'CPU/cores':>9}")
    for n in sizes:
        r = measure(n)
        print(f"{n:>10} {r['judge_s']:>8.2f} {r['write_s']:>8.2f} {r['total_s']:>8.2f} "
              f"{r['total_s'] / n * 10_000:>7.3f} {r['peak_rss_mb']:>8.0f} {r['child_rss_mb']:>9.0f} {r['engine_s']:>9.2f} "
              f"{r['cpu_s']:>6.2f} {r['cpu_s'] / CORES:>9.2f}")
    print("target (100k): total <= 3 s, peak <= 1024 MB (peak + child MB bounds the two together)")
    print("engine s: regorus alone reading the findings input and evaluating the finding policies (part of judge s)")
    print(f"CPU s: guard's and its forked children's CPU over judge + write; CPU/cores ({CORES}) is the least wall "
          "time that work can take on this machine")


if __name__ == "__main__":
    main()
