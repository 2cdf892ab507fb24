"""`guard scan --evidence` end to end with the real bandit, then `guard evidence verify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.tools.envs import resolve
from tests.conftest import EXAMPLE, run_guard

pytestmark = pytest.mark.skipif(resolve("bandit") is None, reason="bandit not installed (guard tools install bandit)")


def test_scan_with_evidence_then_verify(tmp_path: Path) -> None:
    keys = run_guard("evidence", "keygen", "--out", str(tmp_path / "keys" / "ci"))
    assert keys.returncode == 0, keys.stderr
    store = tmp_path / "store"
    proc = run_guard("scan", str(EXAMPLE), "--scanners", "bandit", "--quiet", "--evidence", str(store),
                     env={"GUARD_EVIDENCE_KEY_FILE": str(tmp_path / "keys" / "ci.key")})
    assert proc.returncode == 1, proc.stderr  # the example has high findings; evidence is stored regardless
    (bundle,) = list((store / "runs").iterdir())
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["signer"] and any(t["name"] == "bandit" and t["version"] == "1.9.4" for t in manifest["tools"])
    assert any(name.startswith("raw/bandit/") for name in manifest["files"])
    assert manifest["policy_packs"][0]["name"] == "builtin" and len(manifest["policy_packs"][0]["sha256"]) == 64
    ok = run_guard("evidence", "verify", str(bundle), "--key", str(tmp_path / "keys" / "ci.pub"))
    assert ok.returncode == 0 and "valid run bundle, signed by key" in ok.stdout, ok.stdout + ok.stderr
    target = bundle / "findings.sarif"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x20
    target.write_bytes(bytes(data))
    bad = run_guard("evidence", "verify", str(bundle), "--key", str(tmp_path / "keys" / "ci.pub"))
    assert bad.returncode == 1 and "FAIL findings.sarif: sha256 mismatch" in bad.stdout


def test_scan_with_an_unreadable_key_fails_before_scanning(tmp_path: Path) -> None:
    (tmp_path / "bad.key").write_text("not a key")
    proc = run_guard("scan", str(EXAMPLE), "--scanners", "bandit", "--quiet", "--evidence", str(tmp_path / "s"),
                     "--evidence-key", str(tmp_path / "bad.key"))
    assert proc.returncode == 2 and "bad.key: not an unencrypted PEM private key" in proc.stderr
    assert not (tmp_path / "s").exists()
