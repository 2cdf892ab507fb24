"""Fixtures shared by the integration tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A real S3 endpoint: moto's server mode on 127.0.0.1, with test credentials in the environment."""
    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for k, v in saved.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch) -> Path:
    """A result cache of the test's own (GUARD_CACHE_DIR) with the installed scanners in it."""
    from guard.paths import cache_dir

    tools = cache_dir() / "tools"
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "cache"))
    cache_dir().mkdir()
    (cache_dir() / "tools").symlink_to(tools)
    return cache_dir()
