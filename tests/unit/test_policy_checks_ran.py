"""A policy counts as a check that ran (and so can pass a control) only when it had something to
check: a config policy a file of a kind it reads, a finding policy that `judges` some finding
categories a scanner of one of them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from guard.config import PolicySettings
from guard.policy.base import PolicyContext, PolicyError
from guard.policy.inputs import parse_file
from guard.policy.loader import builtin_dir, load_engine, load_pack, make_engine
from guard.policy.metadata import parse_module
from guard.policy.runner import evaluate_pack, findings_input

FILES = {"terraform": ("main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'),
         "kubernetes": ("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n")}
CONTEXT = PolicyContext(repo="r", branch=None, changed_files=None, frameworks=("soc2",), fail_on="high")
FINDING_POLICY = """# METADATA
# title: T
# description: D
# custom:
#   id: X-1
#   severity: high
#   judges: JUDGES
#   controls:
#     soc2: [CC6.1]
package guard.findings.x

import rego.v1

deny contains 1 if false
"""


def checks(config_kinds: list[str], scanned: tuple[str, ...] | None) -> set[str]:
    pack = load_pack([builtin_dir()], entry_points=False)
    engine = make_engine("regorus", PolicySettings())
    try:
        load_engine(pack, engine)
        config = {"files": [parse_file(*FILES[k], "terraform" if k == "terraform" else "yaml") for k in config_kinds]}
        run = evaluate_pack(pack, engine, {"config": config,
                                           "findings": findings_input([], replace(CONTEXT, scanned=scanned))})
    finally:
        engine.close()
    return {r.id for r in run.checks}


def test_config_policies_count_only_with_files_of_their_kinds() -> None:
    nothing, terraform, kubernetes = checks([], None), checks(["terraform"], None), checks(["kubernetes"], None)
    assert not {c for c in nothing if not c.startswith("GUARD-GATE-")}
    assert "GUARD-LOG-003" in terraform and "GUARD-K8S-001" not in terraform
    assert "GUARD-K8S-001" in kubernetes and "GUARD-LOG-003" not in kubernetes


def test_finding_policies_count_only_when_what_they_judge_was_scanned() -> None:
    gates = {c for c in checks([], ("sast",)) if c.startswith("GUARD-GATE-")}
    assert gates == {"GUARD-GATE-001", "GUARD-GATE-004", "GUARD-GATE-005"}  # no secret or dependency scanner
    assert {"GUARD-GATE-002", "GUARD-GATE-003"} <= checks([], ("secret", "dependency"))
    assert {"GUARD-GATE-002", "GUARD-GATE-003"} <= checks([], None)  # not known (saved findings): every one


def test_judges_is_read_from_metadata_and_checked() -> None:
    meta = parse_module("p.rego", FINDING_POLICY.replace("JUDGES", "[secret, dependency]")).meta
    assert meta is not None and meta.judges == ("secret", "dependency")
    with pytest.raises(PolicyError, match=r"^p\.rego:1: METADATA judges must list finding categories"):
        parse_module("p.rego", FINDING_POLICY.replace("JUDGES", "[secrets]"))
    with pytest.raises(PolicyError, match=r"^p\.rego:1: METADATA judges is for finding policies"):
        parse_module("p.rego", FINDING_POLICY.replace("JUDGES", "[secret]").replace("guard.findings.x",
                                                                                   "guard.config.x"))
