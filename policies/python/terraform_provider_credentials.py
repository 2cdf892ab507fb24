"""Terraform provider blocks must not carry literal cloud credentials."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from guard.policy.python import policy

CREDENTIAL_KEYS = {"access_key", "secret_key", "token", "client_secret", "password"}


@policy(
    id="GUARD-SEC-003",
    title="No literal credentials in Terraform providers",
    description="Terraform provider blocks do not set access_key, secret_key, token, client_secret or password to literal strings.",
    severity="critical",
    controls={"soc2": ["CC6.1"], "pci-dss": ["8.6.2"], "iso27001": ["A.5.17"], "gdpr": ["Art. 32"]},
    rationale="Provider credentials in code give anyone with the repository full cloud access.",
    cwe=["CWE-798"],
    files=["terraform"],
)
def provider_credentials(input: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for f in input["files"]:
        if f["kind"] != "terraform":
            continue
        for block in f["blocks"]:
            if block["block"] != "provider" or not isinstance(block["config"], dict):
                continue
            for key, value in block["config"].items():
                if key in CREDENTIAL_KEYS and isinstance(value, str) and value and "${" not in value:
                    yield {"msg": f"provider {block['name']} sets {key} to a literal credential",
                           "path": f["path"], "line": block["lines"].get(key, block["line"]),
                           "resource": f"provider.{block['name']}"}


def _input(config: dict[str, Any]) -> dict[str, Any]:
    block = {"block": "provider", "name": "aws", "line": 1, "lines": {}, "config": config}
    return {"files": [{"path": "main.tf", "kind": "terraform", "resources": [], "blocks": [block]}]}


def test_literal_key_denied() -> None:
    assert len(list(provider_credentials(_input({"region": "eu-west-1", "secret_key": "abc"})))) == 1


def test_variable_reference_allowed() -> None:
    assert list(provider_credentials(_input({"secret_key": "${var.secret}", "region": "x"}))) == []
