"""The S3 store against moto's server on loopback: SSE-KMS, Object Lock, multipart, and faults
(503 SlowDown, 403 AccessDenied) injected at the HTTP boundary by a small proxy."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import os
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import boto3
import pytest
from click.testing import CliRunner

from guard.cli import cli
from guard.config import Config, EvidenceSettings
from guard.evidence import ledger
from guard.evidence.bundle import store_run
from guard.evidence.store import StoreError, open_store
from guard.evidence.store_s3 import S3Store

from tests.integration.test_evidence_export import make_run

UTC = dt.timezone.utc
WHEN = dt.datetime(2026, 8, 3, 12, 0, tzinfo=UTC)
SLOWDOWN = b"<?xml version='1.0'?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
DENIED = b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"


class FaultProxy:
    """Forwards to moto; answers chosen requests itself with an S3 error instead."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.fail_method: str | None = None
        self.fail_count = 0  # how many matching requests still fail; -1: all
        self.status, self.body = 503, SLOWDOWN
        self.failed = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # answers `Expect: 100-continue` at once

            def log_message(self, *args: object) -> None:
                return None

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.fail_method == self.command and proxy.fail_count != 0:
                    proxy.fail_count -= proxy.fail_count > 0
                    proxy.failed += 1
                    self.send_response(proxy.status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(proxy.body)))
                    self.end_headers()
                    self.wfile.write(proxy.body)
                    return
                conn = http.client.HTTPConnection(proxy.upstream, timeout=30)
                conn.request(self.command, self.path, body=body,
                             headers={k: v for k, v in self.headers.items() if k.lower() != "expect"})
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bucket(moto_endpoint: str, tmp_path: Path) -> str:
    name = f"ev-{tmp_path.name.lower().replace('_', '-')[-40:]}"
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


@pytest.fixture
def proxy(moto_endpoint: str) -> Iterator[FaultProxy]:
    p = FaultProxy(moto_endpoint)
    yield p
    p.close()


def _config(**evidence: object) -> Config:
    return Config(frameworks=["soc2"], evidence=replace(EvidenceSettings(), **evidence))


def test_sse_kms_and_object_lock_are_applied(bucket: str, moto_endpoint: str, tmp_path: Path) -> None:
    cfg = _config(kms_key_id="alias/guard-evidence", object_lock_mode="GOVERNANCE", retention_days=30)
    loc = store_run(make_run(tmp_path, WHEN, True), cfg, tmp_path, f"s3://{bucket}/ev", key=None,
                    endpoint_url=moto_endpoint, env={})
    assert loc.startswith(f"s3://{bucket}/ev/runs/")
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert f"ev/ledger/{ledger.entry_name(1)}" in keys and len(keys) > 10
    for key in keys:
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == "alias/guard-evidence"
        assert head["ObjectLockMode"] == "GOVERNANCE"
        days = (head["ObjectLockRetainUntilDate"] - dt.datetime.now(UTC)).days
        assert 28 <= days <= 30


def test_large_files_use_multipart(bucket: str, moto_endpoint: str, tmp_path: Path) -> None:
    staging = tmp_path / "bundle"
    (staging / "raw" / "trivy").mkdir(parents=True)
    big = os.urandom(11 * 1024 * 1024)
    (staging / "raw" / "trivy" / "out.json").write_bytes(big)
    (staging / "manifest.json").write_bytes(b"{}")
    store = S3Store(f"s3://{bucket}/p", endpoint_url=moto_endpoint, multipart_threshold=5 * 1024 * 1024)
    store.put_run("r1", staging)
    head = boto3.client("s3", endpoint_url=moto_endpoint).head_object(Bucket=bucket, Key="p/runs/r1/raw/trivy/out.json")
    assert head["ETag"].strip('"').endswith("-3")  # three parts
    with store.open_file("r1", "raw/trivy/out.json") as fh:
        assert hashlib.sha256(fh.read()).digest() == hashlib.sha256(big).digest()
    assert store.run_files("r1") == ["manifest.json", "raw/trivy/out.json"]


def test_throttling_is_retried_with_backoff(bucket: str, proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.fail_method, proxy.fail_count = "PUT", 3
    loc = store_run(make_run(tmp_path, WHEN, True), _config(s3_max_attempts=5), tmp_path, f"s3://{bucket}/ev", key=None,
                    endpoint_url=proxy.url, env={})
    assert proxy.failed == 3
    entries = ledger.read(open_store(f"s3://{bucket}/ev", endpoint_url=proxy.url))
    assert len(entries) == 1 and entries[0][1]["run_id"] in loc and not ledger.check_chain(entries)


def test_persistent_throttling_fails_and_records_nothing(bucket: str, proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.fail_method, proxy.fail_count = "PUT", -1
    with pytest.raises(StoreError, match=r"upload failed \(SlowDown"):
        store_run(make_run(tmp_path, WHEN, True), _config(s3_max_attempts=3), tmp_path, f"s3://{bucket}/ev", key=None,
                  endpoint_url=proxy.url, env={})
    assert proxy.failed == 3  # one request, three attempts
    proxy.fail_method = None
    assert open_store(f"s3://{bucket}/ev", endpoint_url=proxy.url).ledger_names() == []  # nothing counts as stored
    result = CliRunner().invoke(cli, ["evidence", "export", "--period", "2026Q3", "--store", f"s3://{bucket}/ev",
                                      "--endpoint-url", proxy.url, "--output", str(tmp_path / "q3.tar.gz")])
    assert result.exit_code == 2 and "no runs stored in 2026Q3" in result.output


def test_access_denied_is_a_clear_error(bucket: str, proxy: FaultProxy, tmp_path: Path) -> None:
    store_run(make_run(tmp_path, WHEN, True), _config(), tmp_path, f"s3://{bucket}/ev", key=None,
              endpoint_url=proxy.url, env={})
    proxy.status, proxy.body = 403, DENIED
    proxy.fail_method, proxy.fail_count = "PUT", -1
    with pytest.raises(StoreError, match="access denied during upload"):
        store_run(make_run(tmp_path, WHEN, True), _config(), tmp_path, f"s3://{bucket}/ev", key=None,
                  endpoint_url=proxy.url, env={})
    proxy.fail_method = "GET"
    result = CliRunner().invoke(cli, ["evidence", "export", "--period", "2026Q3", "--store", f"s3://{bucket}/ev",
                                      "--endpoint-url", proxy.url, "--output", str(tmp_path / "q3.tar.gz")])
    assert result.exit_code == 2, result.output
    assert "access denied" in result.output and "s3:GetObject" in result.output
    assert not (tmp_path / "q3.tar.gz").exists()
