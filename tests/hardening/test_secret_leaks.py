"""Secrets found in a repository never reach a file guard writes: outputs, evidence, raw tool output, cache.

A fixture repository is built at test time with a dozen kinds of fake secrets (assembled from
pieces so this file itself holds none). One `guard scan` runs every scanner that applies with every
output format and an evidence bundle; then every file guard wrote (output folder, evidence store
including the raw tool outputs in the bundle, guard's result cache and scratch space) and
everything it printed is searched for each secret value. Redaction must keep a short prefix and a
hash so the same secret can be recognised for triage.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from guard.redact import mask
from guard.tools.envs import resolve
from tests.hardening.helpers import assert_no_crash, guard

TOOLS = ("bandit", "semgrep", "checkov", "trivy", "hadolint", "zizmor", "actionlint", "detect-secrets")
pytestmark = pytest.mark.skipif(any(resolve(t) is None for t in TOOLS), reason="scanner tools not installed")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem_rsa() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def _openssh_ed25519() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                             serialization.NoEncryption()).decode()


def secrets() -> dict[str, str]:
    """kind -> secret value (distinct, realistic shapes, not real credentials)."""
    jwt = ".".join([_b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()),
                    _b64url(json.dumps({"sub": "svc-billing", "role": "admin", "iat": 1760000000}).encode()),
                    _b64url(bytes(range(7, 39)))])
    return {
        "aws-access-key-id": "AK" + "IA" + "Q7W2E9R4T6Y1U3I5",
        "aws-secret-access-key": "wJalrXUtnF" + "EMI/K7MDENG/bPxRfiCYzQ8hT3vLm2",
        "github-pat": "gh" + "p_" + "R8mK2vQ9xL4nT7wZ1cF5hJ3bD6gS0aY2pE8u",
        "gitlab-pat": "gl" + "pat-" + "Zx8Kq2Lm9Vb4Nc7Tr1Wd",
        "slack-bot-token": "xo" + "xb-" + "284719360152-3950172846031-Qm7Rk2Vx9Lp4Wn8Tz1Hc5Jb3",
        "stripe-live-key": "sk" + "_live_" + "51Hq8Kz2Lm9Vb4Nc7Tr1WdXe6Yf",
        "jwt": jwt,
        "postgres-password": "Pg" + "S3cr3t-Passw0rd-9431",
        "google-api-key": "AI" + "za" + "SyD8k2Lm9Vb4Nc7Tr1WdXe6Yf3Qz5Hp0J",
        "azure-storage-key": base64.b64encode(bytes((i * 37 + 11) % 256 for i in range(64))).decode(),
        "dotenv-token": "f3a9c1e7b5d2" + "0486a1c9e3f7b2d5a8c0e4f6b1d3a5c7",
        "twilio-api-key": "SK" + "7c1e9a3f5b2d4c6e8a0f1b3d5c7e9a2f",
        "rsa-private-key": _pem_rsa(),
        "ssh-private-key": _openssh_ed25519(),
    }


def needles(kind: str, value: str) -> list[str]:
    """What must never appear: the value, or for keys each full line of their body."""
    if "PRIVATE KEY" in value:
        return [line for line in value.splitlines() if line and not line.startswith("-----")]
    return [value]


def build_repo(root: Path, s: dict[str, str]) -> None:
    (root / "config").mkdir(parents=True)
    (root / "keys").mkdir()
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "settings.py").write_text(
        "import os\n\n"
        f'AWS_ACCESS_KEY_ID = "{s["aws-access-key-id"]}"\n'
        f'AWS_SECRET_ACCESS_KEY = "{s["aws-secret-access-key"]}"\n'
        f'GITHUB_TOKEN = "{s["github-pat"]}"\n'
        f'GITLAB_TOKEN = "{s["gitlab-pat"]}"\n'
        f'STRIPE_KEY = "{s["stripe-live-key"]}"\n'
        f'DATABASE_URL = "postgres://billing:{s["postgres-password"]}@db.internal:5432/billing"\n'
        f'password = "{s["postgres-password"]}"\n')
    (root / "notify.js").write_text(
        f'const slack = "{s["slack-bot-token"]}";\n'
        f'const session = "{s["jwt"]}";\n'
        f'const mapsKey = "{s["google-api-key"]}";\n'
        f'const twilioKey = "{s["twilio-api-key"]}";\n')
    (root / "config" / "storage.yaml").write_text(
        "storage:\n  connection: \"DefaultEndpointsProtocol=https;AccountName=billingprod;"
        f'AccountKey={s["azure-storage-key"]};EndpointSuffix=core.windows.net"\n')
    (root / ".env").write_text(f'API_TOKEN={s["dotenv-token"]}\nAWS_SECRET_ACCESS_KEY={s["aws-secret-access-key"]}\n')
    (root / "keys" / "deploy.pem").write_text(s["rsa-private-key"])
    (root / "keys" / "id_ed25519").write_text(s["ssh-private-key"])
    (root / "main.tf").write_text(
        'provider "aws" {\n'
        f'  access_key = "{s["aws-access-key-id"]}"\n'
        f'  secret_key = "{s["aws-secret-access-key"]}"\n'
        "}\n")
    (root / "Dockerfile").write_text(f'FROM python:3.12-slim\nENV GITHUB_TOKEN={s["github-pat"]}\nRUN echo ok\n')
    (root / ".github" / "workflows" / "ci.yml").write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: |\n"
        f"          curl -H 'Authorization: Bearer {s['github-pat']}' https://api.github.com\n")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    home = tmp_path_factory.mktemp("secrets")
    s = secrets()
    root = home / "repo"
    build_repo(root, s)
    tools = "".join(f"  {t}:\n    path: {resolve(t).executable}\n" for t in TOOLS)
    (root / ".guard.yaml").write_text(f"tools:\n{tools}")
    out, evidence = home / "out", home / "evidence"
    proc = guard("scan", str(root), "--format", "table,sarif,json,markdown", "--output", str(out),
                 "--evidence", str(evidence), "--soft-fail", home=home, env={"COLUMNS": "200"}, timeout=600)
    return home, s, proc, out, evidence


def written_files(home: Path, areas: tuple[str, ...] = ("out", "evidence")) -> list[Path]:
    """The files guard wrote under `areas` of the test home (never the repository itself)."""
    return [p for area in areas for p in (home / area).rglob("*") if p.is_file()]


def leaks(home: Path, s: dict[str, str], areas: tuple[str, ...]) -> dict[str, list[str]]:
    files = written_files(home, areas)
    found = {}
    for kind, value in s.items():
        hits = sorted({str(p.relative_to(home)) for p in files for n in needles(kind, value) if n.encode() in p.read_bytes()})
        if hits:
            found[kind] = hits
    return found


def test_scan_ran_every_scanner_and_found_the_secrets(scanned):
    home, s, proc, out, evidence = scanned
    assert_no_crash(proc)
    assert proc.returncode == 0, proc.stderr  # soft-fail; no scanner error
    doc = json.loads((out / "findings.json").read_text())
    statuses = {r["scanner"]: r["status"] for r in doc["scanners"]}
    assert all(statuses[t] == "ok" for t in ("detect-secrets", "trivy", "semgrep", "checkov", "bandit")), statuses
    secret_findings = [f for f in doc["findings"] if f["category"] == "secret"]
    assert len(secret_findings) >= 10
    assert len(list(evidence.glob("runs/*/raw/*/*"))) >= 5, "the bundle carries raw tool outputs"


@pytest.mark.parametrize("kind", sorted(secrets()))
def test_secret_never_written(kind: str, scanned):
    home, s, proc, out, evidence = scanned
    files = written_files(home)
    assert files
    for needle in needles(kind, s[kind]):
        assert needle not in proc.stdout and needle not in proc.stderr, f"{kind} printed"
        leaks = [str(p.relative_to(home)) for p in files if needle.encode() in p.read_bytes()]
        assert not leaks, f"{kind} written verbatim to {leaks}"


def test_redaction_keeps_prefix_and_hash_for_triage(scanned):
    """Where a value is written it is masked with its prefix and hash. A merged finding shows its most
    severe tool's message (trivy masks values itself); the other tools' results, quoting the value, stay
    in the raw outputs the evidence bundle carries."""
    home, s, proc, out, evidence = scanned
    written = [out / "findings.json", out / "guard.sarif", out / "summary.md", *evidence.glob("runs/*/raw/*/*")]
    text = "".join(p.read_text(errors="replace") for p in written)
    masks = set(re.findall(r"[A-Za-z0-9_\-]{0,4}…\[redacted:sha256:[0-9a-f]{12}\]", text))
    assert masks, "no masked value in the outputs"
    expected = {mask(s[k]) for k in ("aws-access-key-id", "github-pat", "stripe-live-key", "slack-bot-token")}
    found = {m for m in expected if m in text}
    assert found, f"none of {expected} in the outputs"
    for m in found:
        assert re.match(r"^.{4}…\[redacted:sha256:[0-9a-f]{12}\]$", m)


def test_evidence_bundle_still_verifies(scanned):
    home, s, proc, out, evidence = scanned
    (run,) = list((evidence / "runs").iterdir())
    check = guard("evidence", "verify", str(run), home=home, isolate_cache=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_no_secret_in_cache_or_scratch_space(scanned):
    home, s, proc, out, evidence = scanned
    assert not leaks(home, s, ("cache", "tmp"))
