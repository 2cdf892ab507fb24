"""The scanners (real tools) stay offline: with every proxy variable pointing at a recorder on
127.0.0.1 (which a tool's requests would go through) and GitHub tokens set, a scan of the bundled
example sends it nothing. detect-secrets, left to itself, checks each secret it finds with its service
(a Slack token against slack.com, an AWS key against STS) and drops those the service calls invalid:
found secrets would leave the machine and the findings depend on the network. guard runs it with
`--no-verify`, and the token is reported."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import run_guard, write_files

TOKEN = "xoxb-" + "2948172635-4827361928374-Zq8xW3vB6nT1yR4uK7pL0sD5"


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    """A proxy URL on 127.0.0.1 and the request lines it received (it answers each with a 403)."""
    seen: list[str] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    seen.append(conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    done.set()
    thread.join()
    server.close()


def through(url: str) -> dict[str, str]:
    """An environment sending every request through the proxy at `url`, GitHub tokens set."""
    return {"HTTPS_PROXY": url, "HTTP_PROXY": url, "https_proxy": url, "http_proxy": url, "ALL_PROXY": url,
            "NO_PROXY": "", "no_proxy": "", "GH_TOKEN": "ghp_" + "x" * 36, "GITHUB_TOKEN": "ghp_" + "x" * 36}


def test_no_scanner_goes_online(tmp_path: Path, proxy: tuple[str, list[str]]) -> None:
    url, seen = proxy
    example = Path(__file__).resolve().parents[2] / "examples" / "insecure-shop"
    done = run_guard("scan", str(example), "--no-cache", "--soft-fail", "-q", "-o", str(tmp_path / "out"),
                     env=through(url))
    assert done.returncode == 0, done.stderr
    assert seen == []


def test_detect_secrets_checks_no_secret_with_its_service(tmp_path: Path, proxy: tuple[str, list[str]]) -> None:
    url, seen = proxy
    repo = write_files(tmp_path / "repo", {"notify.py": f'SLACK_TOKEN = "{TOKEN}"\n'})
    out = tmp_path / "out"
    done = run_guard("scan", str(repo), "--scanners", "detect-secrets", "--no-cache", "--soft-fail", "-q",
                     "-o", str(out), env=through(url))
    assert done.returncode == 0, done.stderr
    assert seen == []
    doc = json.loads((out / "findings.json").read_text())
    rules = [doc["rules"][f["rule"]]["id"] if isinstance(f["rule"], int) else f["rule"]["id"] for f in doc["findings"]]
    assert "slack-token" in rules


def test_a_config_asking_for_verification_gets_it(tmp_path: Path, proxy: tuple[str, list[str]]) -> None:
    url, seen = proxy
    repo = write_files(tmp_path / "repo", {"notify.py": f'SLACK_TOKEN = "{TOKEN}"\n',
                                           ".guard.yaml": "tools:\n  detect-secrets: {args: [--only-verified]}\n"})
    done = run_guard("scan", str(repo), "--scanners", "detect-secrets", "--no-cache", "--soft-fail", "-q",
                     env=through(url))
    assert done.returncode == 0, done.stderr
    assert "CONNECT slack.com:443 HTTP/1.0" in seen  # the real requests, through the proxy
