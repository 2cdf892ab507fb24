"""Run bundles: build, sign, store in a directory, verify, and detect tampering."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from trestle.oscal.assessment_results import AssessmentResults

from guard.cli import cli
from guard.config import Config
from guard.evidence import ledger
from guard.evidence.bundle import EvidenceError, store_run
from guard.evidence.signing import keygen, private_key_from
from guard.evidence.store_dir import DirStore
from guard.model import (
    Category, ControlResult, ControlStatus, Finding, Gate, Location, Rule, RunResult, ScannerRun, Severity, Status,
    Waiver,
)

UTC = dt.timezone.utc


def make_run(work: Path, when: dt.datetime, failing: bool = True, branch: str = "main") -> RunResult:
    """A run as pipeline.run returns it: one scanner with a raw output file, findings, a waiver, controls."""
    raw = work / f"bandit-{when:%Y%m%d%H%M%S}" / "bandit.sarif"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text('{"version": "2.1.0", "runs": []}\n')
    rule = Rule("B602", "subprocess_popen_with_shell_equals_true", "Shell injection", "shell=True", "Avoid shell=True",
                controls={"soc2": ("CC7.1",)})
    finding = Finding("bandit", rule, "subprocess call with shell=True", Severity.HIGH, Category.SAST,
                      Location("app.py", 3), fingerprint="fp-1")
    low = Finding("bandit", Rule("B101", "assert_used", "Assert used", "", ""), "assert", Severity.LOW, Category.SAST,
                  Location("app.py", 9), fingerprint="fp-2")
    waived = Finding("bandit", Rule("B105", "hardcoded_password", "Hardcoded password", "", ""), "pw", Severity.MEDIUM,
                     Category.SAST, Location("conf.py", 1), fingerprint="fp-3")
    waiver = Waiver("test fixture", "alice@example.com", "2026-12-31", ".guard-waivers.yaml:3", "B105", "fp-3")
    findings = (finding, low) if failing else (low,)
    s = ControlStatus
    controls = (
        ControlResult("soc2", "CC7.1", "System monitoring", s.FAILED if failing else s.PASSED, ("B602",),
                      ("fp-1",) if failing else ()),
        ControlResult("soc2", "CC6.1", "Logical access", s.PASSED, ("B105",), (), ("fp-3",)),
        ControlResult("soc2", "CC1.1", "Integrity and ethics", s.NOT_ASSESSED),
        ControlResult("pci-dss", "6.2", "Bespoke software is secure", s.FAILED if failing else s.PASSED, ("B602",)),
        ControlResult("pci-dss", "12.1", "Security policy", s.MANUAL, note="policy signed 2026-01-10"),
    )
    return RunResult(
        target=str(work), started=when.isoformat(), finished=(when + dt.timedelta(seconds=42)).isoformat(),
        guard_version="0.1.0", commit="a" * 40, branch=branch,
        scanners=(ScannerRun("bandit", Category.SAST, Status.OK, "1.9.4", findings=findings, raw_outputs=(str(raw),)),),
        findings=findings, waived=((waived, waiver),), controls=controls,
        gate=Gate(not failing, Severity.HIGH, ("fp-1",) if failing else ()),
    )


CONFIG = Config(frameworks=["soc2", "pci-dss"])
WHEN = dt.datetime(2026, 7, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def bundle(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    store = tmp_path / "store"
    location = store_run(make_run(tmp_path / "work", WHEN), CONFIG, tmp_path, str(store), key=key, env={})
    return Path(location)


def _verify_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["evidence", "verify", *args])
    return result.exit_code, result.output


def test_bundle_contents_and_manifest(bundle: Path) -> None:
    names = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert names == ["controls/pci-dss.csv", "controls/pci-dss.json", "controls/soc2.csv", "controls/soc2.json",
                     "findings.json", "findings.sarif", "manifest.json", "manifest.json.sig",
                     "oscal/assessment-results.json", "raw/bandit/bandit.sarif", "report.html", "waivers.csv"]
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    assert manifest["started"] == "2026-07-15T10:00:00Z" and manifest["finished"] == "2026-07-15T10:00:42Z"
    assert manifest["git"]["commit"] == "a" * 40 and manifest["kind"] == "branch"
    assert manifest["tools"][0]["name"] == "bandit" and len(manifest["tools"][0]["lock_sha256"]) == 64
    assert manifest["frameworks"] == ["pci-dss", "soc2"] and len(manifest["config"]["sha256"]) == 64
    assert set(manifest["files"]) == set(names) - {"manifest.json", "manifest.json.sig"}
    assert (bundle / "raw/bandit/bandit.sarif").read_text() == '{"version": "2.1.0", "runs": []}\n'
    sarif = json.loads((bundle / "findings.sarif").read_text())
    suppressed = [r for run in sarif["runs"] for r in run["results"] if r.get("suppressions")]
    assert len(suppressed) == 1  # the evidence copy keeps the waived finding as a suppression
    assert "alice@example.com" in (bundle / "waivers.csv").read_text()
    soc2 = json.loads((bundle / "controls/soc2.json").read_text())
    assert soc2["summary"] == {"failed": 1, "passed": 1, "manual": 0, "not assessed": 1}


def test_oscal_is_valid_assessment_results(bundle: Path) -> None:
    doc = json.loads((bundle / "oscal/assessment-results.json").read_text())
    model = AssessmentResults.model_validate(doc["assessment-results"])
    result = model.results[0]
    states = {f.target.target_id: f.target.status.state.value for f in result.findings}
    assert states == {"soc2_CC7.1": "not-satisfied", "soc2_CC6.1": "satisfied", "pci-dss_6.2": "not-satisfied",
                      "pci-dss_12.1": "satisfied"}
    automated = [o for o in result.observations if o.methods == ["TEST"]]
    assert len(automated) == 3 and all(any(p.value == "TEST-AUTOMATED" for p in o.props) for o in automated)
    assert "soc2 CC1.1" in result.remarks  # not assessed is never reported as satisfied


def test_verify_valid_signed_and_pinned(bundle: Path, key: Ed25519PrivateKey, tmp_path: Path) -> None:
    code, out = _verify_cli(str(bundle))
    assert code == 0 and "valid run bundle, signed by key" in out, out
    _, pub = keygen(tmp_path / "other")
    code, out = _verify_cli(str(bundle), "--key", str(pub))
    assert code == 1 and "not by the given key" in out


def test_verify_with_pinned_key_from_keygen(tmp_path: Path) -> None:
    private, public = keygen(tmp_path / "k")
    key = private_key_from(None, {"GUARD_EVIDENCE_KEY_FILE": str(private)})
    loc = store_run(make_run(tmp_path / "w", WHEN), CONFIG, tmp_path, str(tmp_path / "s"), key=key, env={})
    assert _verify_cli(loc, "--key", str(public))[0] == 0
    env_key = private_key_from(None, {"GUARD_EVIDENCE_KEY": private.read_text()})
    assert env_key is not None and env_key.private_bytes_raw() == key.private_bytes_raw()


@pytest.mark.parametrize("tamper, reason", [
    (lambda b: _flip(b / "findings.json"), "findings.json: sha256 mismatch"),
    (lambda b: _flip(b / "raw/bandit/bandit.sarif"), "raw/bandit/bandit.sarif: sha256 mismatch"),
    (lambda b: (b / "waivers.csv").unlink(), "waivers.csv: missing"),
    (lambda b: (b / "extra.txt").write_text("x"), "extra.txt: extra file not in the manifest"),
    (lambda b: _flip(b / "manifest.json.sig", at=-20), "manifest.json.sig: "),
    (lambda b: (b / "manifest.json").write_bytes((b / "manifest.json").read_bytes().replace(b'"main"', b'"mainx"')),
     "manifest.json.sig: bad signature"),
    (lambda b: (b / "manifest.json").write_bytes((b / "manifest.json").read_bytes() + b"\n"), "not in canonical form"),
    (lambda b: (b / "manifest.json").unlink(), "manifest.json: missing"),
])
def test_verify_detects_tampering(bundle: Path, tamper, reason: str) -> None:
    tamper(bundle)
    code, out = _verify_cli(str(bundle))
    assert code == 1, out
    assert reason in out and "INVALID" in out


def _flip(path: Path, at: int = 10) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_unsigned_bundle_says_so(tmp_path: Path) -> None:
    loc = store_run(make_run(tmp_path / "w", WHEN), CONFIG, tmp_path, str(tmp_path / "s"), key=None, env={})
    code, out = _verify_cli(loc)
    assert code == 0 and "UNSIGNED" in out
    _, pub = keygen(tmp_path / "k")
    code, out = _verify_cli(loc, "--key", str(pub))
    assert code == 1 and "unsigned" in out


def test_verify_unreadable_input_exits_2(tmp_path: Path) -> None:
    assert _verify_cli(str(tmp_path / "nope"))[0] == 2
    (tmp_path / "b.tar.gz").write_bytes(b"not gzip at all")
    code, out = _verify_cli(str(tmp_path / "b.tar.gz"))
    assert code == 2 and "unreadable archive" in out


def test_ledger_records_runs_in_order(tmp_path: Path) -> None:
    store = tmp_path / "s"
    for day in (1, 2, 3):
        store_run(make_run(tmp_path / "w", WHEN.replace(day=day)), CONFIG, tmp_path, str(store), key=None, env={})
    entries = ledger.read(DirStore(store))
    assert [d["seq"] for _, d in entries] == [1, 2, 3]
    assert entries[1][1]["prev"] == entries[0][1]["hash"] and not ledger.check_chain(entries)
    assert [d["started"][:10] for _, d in entries] == ["2026-07-01", "2026-07-02", "2026-07-03"]


def test_missing_raw_output_fails_closed(tmp_path: Path) -> None:
    run = make_run(tmp_path / "w", WHEN)
    Path(run.scanners[0].raw_outputs[0]).unlink()
    with pytest.raises(EvidenceError, match="raw output of scanner bandit is missing"):
        store_run(run, CONFIG, tmp_path, str(tmp_path / "s"), key=None, env={})
    assert not (tmp_path / "s" / "ledger").exists()


def test_pull_request_runs_are_marked(tmp_path: Path) -> None:
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_HEAD_REF": "feature/x", "GITHUB_BASE_REF": "main",
           "GITHUB_REF": "refs/pull/17/merge"}
    loc = store_run(make_run(tmp_path / "w", WHEN, branch="HEAD"), CONFIG, tmp_path, str(tmp_path / "s"), key=None, env=env)
    manifest = json.loads((Path(loc) / "manifest.json").read_text())
    assert manifest["kind"] == "pull_request" and manifest["git"]["branch"] == "feature/x"
    assert manifest["git"]["pull_request"] == {"number": 17, "base": "main", "head": "feature/x"}
