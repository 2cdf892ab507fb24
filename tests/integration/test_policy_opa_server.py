"""guard <-> OPA over HTTP (opa-python-client) against a loopback server that runs the real OPA engine."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from guard.config import Config, PolicySettings
from guard.policy.base import PolicyContext, PolicyError
from guard.policy.loader import builtin_dir, load_engine, load_pack
from guard.policy.opa_server import OpaServerEngine
from guard.policy.runner import run_policies
from guard.policy.testing import load_for_tests, run_tests
from tests.integration.opa_standin import OpaStandin

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "insecure-shop"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policy"
CONTEXT = PolicyContext("shop", "main", None, ("soc2",), "high")


def _files() -> list[str]:
    return [str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*") if p.is_file()]


def test_pack_over_http_matches_in_process_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARD_OPA_TOKEN", "s3cret")
    with OpaStandin(token="s3cret") as server:
        config = Config(policies=PolicySettings(engine="opa-server", opa_url=server.url))
        remote = run_policies(config, EXAMPLE, _files(), [], CONTEXT)
        assert any(pid.startswith("policies/rego/config/") for pid in server.policies)
    local = run_policies(Config(), EXAMPLE, _files(), [], CONTEXT)
    assert remote.engine.startswith("opa-server http://127.0.0.1:")
    assert [(f.rule_id, f.location, f.message) for f in remote.findings] == \
        [(f.rule_id, f.location, f.message) for f in local.findings]
    assert len(remote.findings) > 20


def test_policy_tests_run_through_the_server() -> None:
    with OpaStandin() as server:
        engine = OpaServerEngine(server.url)
        results = run_tests(load_for_tests([FIXTURES / "failing_test"], engine), engine)
    assert {(r.name.split(".")[-1], r.passed) for r in results} == {("test_passes", True), ("test_fails", False)}


def test_wrong_token_is_an_error() -> None:
    with OpaStandin(token="right") as server:
        engine = OpaServerEngine(server.url, token="wrong")
        with pytest.raises(PolicyError, match="opa-server"):
            load_engine(load_pack([builtin_dir()], entry_points=False), engine)


def test_compile_error_names_the_file() -> None:
    with OpaStandin() as server:
        engine = OpaServerEngine(server.url)
        with pytest.raises(PolicyError, match=r"unknown\.rego:14"):
            load_engine(load_pack([FIXTURES / "unknown_builtin"], entry_points=False), engine)


def test_unreachable_server_is_an_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = Config(policies=PolicySettings(engine="opa-server", opa_url=f"http://127.0.0.1:{port}"))
    with pytest.raises(PolicyError, match="unreachable"):
        run_policies(config, EXAMPLE, _files(), [], CONTEXT)
