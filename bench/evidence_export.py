"""Target 5: `guard evidence export` over 1,000 stored runs (directory store): <= 10 s.

Generates a directory store with N signed run bundles spread over 2026Q3 (each run: two scanners
with raw output, a few findings, one waiver, SOC 2 and PCI DSS control results), then times the
export of that quarter. The floor printed beside it is reading every byte of the store once
(sha256 over all files), the least any verifying export must do.

    python bench/evidence_export.py [--runs 1000] [--repeat 3] [--store DIR (reuse)]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import guard_argv, header, load, median, run_timed  # noqa: E402

UTC = dt.timezone.utc
START = dt.datetime(2026, 7, 1, 0, 30, tzinfo=UTC)


def make_run(work: Path, i: int, when: dt.datetime):
    from guard.model import (Category, ControlResult, ControlStatus, Finding, Gate, Location, Rule, RunResult,
                             ScannerRun, Severity, Status, Waiver)

    raws = []
    for tool in ("bandit", "checkov"):
        raw = work / f"run{i}" / tool / "stdout"
        raw.parent.mkdir(parents=True, exist_ok=True)
        raw.write_bytes(b'{"results": [' + b",".join(b'{"id": %d}' % k for k in range(50)) + b"]}")
        raws.append(str(raw))
    failing = i % 7 == 0
    rule = Rule("B602", "shell", "Shell injection", "shell=True", "Avoid shell=True", cwe=("CWE-78",))
    findings = tuple(Finding("bandit", rule, f"shell=True #{k}", Severity.HIGH if failing else Severity.LOW,
                             Category.SAST, Location(f"app/m{k}.py", k + 1), fingerprint=f"fp-{i}-{k}")
                     for k in range(5))
    waived = Finding("bandit", Rule("B105", "pw", "Hardcoded password", "", ""), "pw", Severity.MEDIUM,
                     Category.SAST, Location("conf.py", 1), fingerprint="fp-w")
    waiver = Waiver("accepted", "alice@example.com", "2026-12-31", ".guard-waivers.yaml:3", "B105", "fp-w")
    s = ControlStatus
    controls = (ControlResult("soc2", "CC7.1", "System monitoring", s.FAILED if failing else s.PASSED, ("B602",)),
                ControlResult("soc2", "CC6.1", "Logical access", s.PASSED, ("B105",)),
                ControlResult("pci-dss", "6.2", "Secure software", s.FAILED if failing else s.PASSED, ("B602",)))
    scanners = (ScannerRun("bandit", Category.SAST, Status.OK, "1.9.4", findings=findings, raw_outputs=(raws[0],)),
                ScannerRun("checkov", Category.IAC, Status.OK, "3.3.30", raw_outputs=(raws[1],)))
    return RunResult(target=str(work), started=when.isoformat(), finished=(when + dt.timedelta(seconds=30)).isoformat(),
                     guard_version="0.1.0", commit=f"{i:040x}", branch="main", scanners=scanners, findings=findings,
                     waived=((waived, waiver),), controls=controls, gate=Gate(not failing, Severity.HIGH))


def fill(store: Path, work: Path, runs: int, key_prefix: Path) -> float:
    from guard.config import Config
    from guard.evidence.bundle import store_run
    from guard.evidence.signing import keygen, private_key_from

    private, _ = keygen(key_prefix)
    key = private_key_from(private)
    config = Config(frameworks=["soc2", "pci-dss"])
    step = dt.timedelta(days=91) / runs
    start = time.perf_counter()
    for i in range(runs):
        store_run(make_run(work, i, START + i * step), config, work, str(store), key=key, env={})
    return time.perf_counter() - start


def read_all(store: Path) -> float:
    start = time.perf_counter()
    h = hashlib.sha256()
    for dirpath, _, names in os.walk(store):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as fh:
                h.update(fh.read())
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--store", type=Path, help="Reuse a store this script filled before.")
    args = ap.parse_args()
    header(f"target 5: evidence export over {args.runs} stored runs")
    tmp = Path(tempfile.mkdtemp(prefix="guard-bench-evidence-"))
    store = args.store
    if store is None or not store.exists():
        store = store or tmp / "store"
        took = fill(store, tmp / "work", args.runs, tmp / "signing")
        print(f"# filled {store} with {args.runs} signed runs in {took:.1f} s")
    size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    exports, floors = [], []
    for i in range(args.repeat):
        floors.append(read_all(store))
        out = tmp / f"q3-{i}.tar.gz"
        t = run_timed(guard_argv("evidence", "export", "--period", "2026Q3", "--store", str(store),
                                 "--output", str(out)), env={"GUARD_EVIDENCE_KEY": "", "GUARD_EVIDENCE_KEY_FILE": ""})
        if t.code != 0:
            raise SystemExit(f"guard evidence export exited {t.code}")
        exports.append(t.wall)
        print(f"rep {i + 1}: export {t.wall:.2f} s (CPU {t.cpu:.2f} s, peak {t.max_rss_mb:.0f} MB, "
              f"archive {out.stat().st_size / 1e6:.1f} MB), read-all floor {floors[-1]:.2f} s ({load()})")
    print(f"\nstore: {args.runs} runs, {size / 1e6:.1f} MB")
    print(f"guard evidence export   {median(exports):6.2f} s  (target <= 10 s)")
    print(f"read every byte once    {median(floors):6.2f} s  (export / floor = {median(exports) / median(floors):.1f})")
    print(f"# {load()} at end")


if __name__ == "__main__":
    main()
