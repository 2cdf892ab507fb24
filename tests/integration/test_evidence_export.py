"""Period export from a directory store and from S3 (moto server on loopback): a quarter of
synthetic runs, exported, verified; runs removed or altered in the middle are detected."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from guard.cli import cli
from guard.config import Config
from guard.evidence import ledger
from guard.evidence.bundle import store_run
from guard.evidence.signing import keygen, private_key_from
from guard.evidence.store import open_store
from guard.model import (
    Category, ControlResult, ControlStatus, Finding, Gate, Location, Rule, RunResult, ScannerRun, Severity, Status,
    Waiver,
)

UTC = dt.timezone.utc
CONFIG = Config(frameworks=["soc2", "pci-dss"])
Q3_START = dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
MAIN_RUNS = 40  # every ~2.2 days through 2026Q3
FAILING = range(10, 20)  # CC7.1 / 6.2 fail in these runs, fixed from run 20 on


def make_run(work: Path, when: dt.datetime, failing: bool, branch: str = "main", raw_bytes: bytes = b"{}") -> RunResult:
    raw = work / f"{when:%Y%m%d%H%M%S}-{branch.replace('/', '_')}" / "bandit.sarif"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_bytes(raw_bytes)
    rule = Rule("B602", "shell", "Shell injection", "shell=True", "Avoid shell=True")
    bad = Finding("bandit", rule, "shell=True", Severity.HIGH, Category.SAST, Location("app.py", 3), fingerprint="fp-1")
    waived = Finding("bandit", Rule("B105", "pw", "Hardcoded password", "", ""), "pw", Severity.MEDIUM, Category.SAST,
                     Location("conf.py", 1), fingerprint="fp-3")
    waiver = Waiver("accepted for test", "alice@example.com", "2026-12-31", ".guard-waivers.yaml:3", "B105", "fp-3")
    s = ControlStatus
    controls = (ControlResult("soc2", "CC7.1", "System monitoring", s.FAILED if failing else s.PASSED, ("B602",)),
                ControlResult("soc2", "CC6.1", "Logical access", s.PASSED, ("B105",)),
                ControlResult("pci-dss", "6.2", "Secure software", s.FAILED if failing else s.PASSED, ("B602",)))
    findings = (bad,) if failing else ()
    return RunResult(target=str(work), started=when.isoformat(), finished=(when + dt.timedelta(seconds=30)).isoformat(),
                     guard_version="0.1.0", commit=f"{when:%m%d%H}".ljust(40, "0"), branch=branch,
                     scanners=(ScannerRun("bandit", Category.SAST, Status.OK, "1.9.4", findings=findings,
                                          raw_outputs=(str(raw),)),),
                     findings=findings, waived=((waived, waiver),), controls=controls,
                     gate=Gate(not failing, Severity.HIGH))


def main_time(i: int) -> dt.datetime:
    return Q3_START + dt.timedelta(hours=53 * i)


def fill_quarter(dest: str, work: Path, key: Ed25519PrivateKey | None, endpoint: str | None = None) -> None:
    """40 default-branch runs, 4 PR scans and 2 feature-branch runs in 2026Q3, plus runs outside it."""
    def put(when: dt.datetime, failing: bool, branch: str = "main", env: dict[str, str] | None = None) -> None:
        store_run(make_run(work, when, failing, branch), CONFIG, work, dest, key=key, endpoint_url=endpoint,
                  env=env or {})

    put(dt.datetime(2026, 6, 30, 23, 0, tzinfo=UTC), True)  # Q2
    for i in range(MAIN_RUNS):
        put(main_time(i), i in FAILING)
        if i % 10 == 5:
            put(main_time(i) + dt.timedelta(hours=1), False, "HEAD", {
                "GITHUB_EVENT_NAME": "pull_request", "GITHUB_HEAD_REF": f"feature/{i}", "GITHUB_BASE_REF": "main",
                "GITHUB_REF": f"refs/pull/{i}/merge"})
        if i in (7, 30):
            put(main_time(i) + dt.timedelta(hours=2), True, "experiment")  # neither default branch nor PR
    put(dt.datetime(2026, 10, 1, 0, 0, 1, tzinfo=UTC), False)  # Q4


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(params=["dir", "s3"])
def quarter_store(request: pytest.FixtureRequest, tmp_path: Path, keys) -> tuple[str, str | None]:
    """(store, endpoint): a quarter of signed runs in a directory, or in a fresh bucket on the moto server."""
    if request.param == "dir":
        return str(request.getfixturevalue("quarter_dir")), None
    endpoint = request.getfixturevalue("moto_endpoint")
    bucket = f"evidence-{tmp_path.name.lower().replace('_', '-')[-30:]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    dest = f"s3://{bucket}/guard/acme"
    fill_quarter(dest, tmp_path / "work", keys[0], endpoint)
    return dest, endpoint


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ed25519PrivateKey, Path, Path]:
    private, public = keygen(tmp_path_factory.mktemp("keys") / "evidence")
    key = private_key_from(private)
    assert key is not None
    return key, private, public


@pytest.fixture(scope="module")
def quarter_template(tmp_path_factory: pytest.TempPathFactory, keys) -> Path:
    """A directory store holding a signed quarter of runs, filled once; tests work on copies."""
    base = tmp_path_factory.mktemp("quarter")
    fill_quarter(str(base / "store"), base / "work", keys[0])
    return base / "store"


@pytest.fixture
def quarter_dir(quarter_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(quarter_template, tmp_path / "store", symlinks=True))


def _export(dest: str, endpoint: str | None, out: Path, *extra: str) -> tuple[int, str]:
    args = ["evidence", "export", "--period", "2026Q3", "--store", dest, "--output", str(out), *extra]
    return invoke(*args, *(["--endpoint-url", endpoint] if endpoint else []))


def test_quarter_export_verifies_then_detects_a_removed_run(quarter_store: tuple[str, str | None], keys,
                                                            tmp_path: Path) -> None:
    dest, endpoint = quarter_store
    _, private, public = keys
    out = tmp_path / "out" / "soc2-2026Q3.tar.gz"
    code, text = _export(dest, endpoint, out, "--key", str(private))
    assert code == 0, text
    assert "44 run(s) of 2026Q3" in text
    code, text = invoke("evidence", "verify", str(out), "--key", str(public))
    assert code == 0 and "valid export bundle, signed by key" in text, text
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        timeline = json.loads(tar.extractfile("controls/soc2-timeline.json").read())
        prs = tar.extractfile("change-management/pull-requests.csv").read().decode().splitlines()
        waivers = tar.extractfile("waivers.csv").read().decode()
        proof = json.loads(tar.extractfile("ledger/proof.json").read())
        names = tar.getnames()
    assert [r["kind"] for r in manifest["runs"]].count("branch") == MAIN_RUNS
    assert all("2026-07-01" <= r["started"] < "2026-10-01" for r in manifest["runs"])
    cc71 = next(c for c in timeline["controls"] if c["control_id"] == "CC7.1")
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    assert cc71["first_failed"] == main_time(FAILING.start).strftime(fmt)
    assert cc71["fixed_at"] == main_time(FAILING.stop).strftime(fmt)
    assert cc71["runs_sampled"] == MAIN_RUNS and cc71["failed_runs"] == len(FAILING)
    assert cc71["statuses"] == "P" * 10 + "F" * 10 + "P" * 20 and cc71["last_status"] == "passed"
    assert len(prs) == 1 + 4 and ",35,main,feature/35," in prs[-1]
    assert "alice@example.com,2026-12-31" in waivers
    assert proof["entries"] == 1 + MAIN_RUNS + 4 + 2 + 1 and len(proof["period_entries"]) == 44
    assert sum(n.endswith("/manifest.json.sig") for n in names) == 44

    entries = ledger.read(open_store(dest, endpoint_url=endpoint))
    victim = entries[len(entries) // 2][1]
    _delete_run(dest, endpoint, victim["run_id"])
    again = tmp_path / "out" / "again.tar.gz"
    code, text = _export(dest, endpoint, again, "--key", str(private))
    assert code == 1, text
    assert f"run {victim['run_id']} (ledger entry {victim['seq']}): missing from the store" in text
    assert not again.exists() and not list(again.parent.glob(".again.tar.gz.*"))


def test_monthly_export_one_framework_as_zip(quarter_dir: Path, tmp_path: Path) -> None:
    dest = str(quarter_dir)
    out = tmp_path / "pci-2026-09.zip"
    code, text = invoke("evidence", "export", "--period", "2026-09", "--store", dest, "--framework", "pci-dss",
                        "--output", str(out))
    assert code == 0 and "UNSIGNED" in text, text

    names = zipfile.ZipFile(out).namelist()
    assert "controls/pci-dss-timeline.csv" in names and not any(n.startswith("controls/soc2") for n in names)
    code, text = invoke("evidence", "verify", str(out))
    assert code == 0 and "UNSIGNED" in text, text


def _delete_run(dest: str, endpoint: str | None, run_id: str) -> None:
    if dest.startswith("s3://"):
        bucket, _, prefix = dest[5:].partition("/")
        s3 = boto3.client("s3", endpoint_url=endpoint)
        for obj in s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/runs/{run_id}/")["Contents"]:
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
    else:
        shutil.rmtree(Path(dest) / "runs" / run_id)


def test_ledger_entry_removed_is_detected(quarter_dir: Path, tmp_path: Path) -> None:
    (quarter_dir / "ledger" / ledger.entry_name(20)).unlink()
    code, text = _export(str(quarter_dir), None, tmp_path / "q3.tar.gz")
    assert code == 1 and "ledger entries 20..20: missing (deleted from the middle of the ledger)" in text, text


def test_ledger_entry_altered_is_detected(quarter_dir: Path, tmp_path: Path) -> None:
    dest = quarter_dir
    entry = dest / "ledger" / ledger.entry_name(12)
    entry.write_bytes(entry.read_bytes().replace(b'"branch":"main"', b'"branch":"mainx"'))
    code, text = _export(str(dest), None, tmp_path / "q3.tar.gz")
    assert code == 1 and "ledger entry 12" in text and "altered" in text, text


def test_altered_stored_file_is_detected(quarter_dir: Path, tmp_path: Path) -> None:
    dest = quarter_dir
    run_id = ledger.read(open_store(str(dest)))[15][1]["run_id"]
    target = dest / "runs" / run_id / "findings.json"
    target.write_text(target.read_text().replace("B602", "B603"))
    code, text = _export(str(dest), None, tmp_path / "q3.tar.gz")
    assert code == 1 and f"run {run_id}/findings.json: sha256 mismatch" in text, text


def test_run_removed_from_an_export_is_detected(quarter_dir: Path, tmp_path: Path, keys) -> None:
    _, private, public = keys
    dest = str(quarter_dir)
    out = tmp_path / "q3.tar.gz"
    assert _export(dest, None, out, "--key", str(private))[0] == 0
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        victim = manifest["runs"][20]["run_id"]
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers() if f"runs/{victim}/" not in m.name]
    cut = tmp_path / "cut.tar.gz"
    with tarfile.open(cut, "w:gz") as tar:
        for m, data in members:
            tar.addfile(m, io.BytesIO(data))
    code, text = invoke("evidence", "verify", str(cut), "--key", str(public))
    assert code == 1, text
    assert f"FAIL runs/{victim}/findings.json: missing" in text and f"FAIL runs/{victim}: missing" in text


EXPORT_SCRIPT = """
import sys
from pathlib import Path
from guard.evidence import export
from guard.evidence.store import open_store
export.export(open_store(sys.argv[1]), export.parse_period("2026Q3"), Path(sys.argv[2]))
"""


def test_kill_9_mid_export_leaves_store_and_ledger_valid(tmp_path: Path) -> None:
    dest = tmp_path / "store"
    work = tmp_path / "work"
    noise = os.urandom(3 * 1024 * 1024)  # incompressible raw output: makes the export take a while
    for i in range(12):
        store_run(make_run(work, main_time(i * 3), i % 2 == 0, raw_bytes=noise), CONFIG, work, str(dest), key=None, env={})
    out = tmp_path / "out" / "q3.tar.gz"
    proc = subprocess.Popen([sys.executable, "-c", EXPORT_SCRIPT, str(dest), str(out)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        partial = list(out.parent.glob(".q3.tar.gz.*.partial")) if out.parent.exists() else []
        if partial and partial[0].stat().st_size > 4 * 1024 * 1024:
            break
        time.sleep(0.005)
    else:
        pytest.fail("export never got going")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # no half-written bundle under the final name
    entries = ledger.read(open_store(str(dest)))
    assert len(entries) == 12 and not ledger.check_chain(entries)
    code, text = _export(str(dest), None, out)
    assert code == 0, text
    assert invoke("evidence", "verify", str(out))[0] == 0


STORE_SCRIPT = """
import sys, datetime as dt
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from test_evidence_export import make_run, CONFIG
from guard.evidence.bundle import store_run
work = Path(sys.argv[2])
noise = bytes(range(256)) * 4096 * 8
for i in range(1000):
    when = dt.datetime(2026, 8, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=i)
    store_run(make_run(work, when, False, raw_bytes=noise), CONFIG, work, sys.argv[1], key=None, env={})
    print(i, flush=True)
"""


def test_kill_9_mid_store_leaves_store_valid(tmp_path: Path) -> None:
    dest, work = tmp_path / "store", tmp_path / "work"
    proc = subprocess.Popen([sys.executable, "-c", STORE_SCRIPT, str(dest), str(work), str(Path(__file__).parent)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for _ in range(3):
        proc.stdout.readline()
    time.sleep(0.013)  # somewhere inside the fourth or a later run
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = open_store(str(dest))
    entries = ledger.read(store)
    assert len(entries) >= 3 and not ledger.check_chain(entries)
    for _, e in entries:  # every run the ledger counts is whole
        assert "manifest.json" in store.run_files(e["run_id"])
    out = tmp_path / "q3.tar.gz"
    code, text = _export(str(dest), None, out)
    assert code == 0, text
    assert invoke("evidence", "verify", str(out))[0] == 0
