"""METADATA parsing: fields, controls, and errors that name file:line."""

from __future__ import annotations

import pytest

from guard.model import Severity
from guard.policy.base import PolicyError
from guard.policy.metadata import parse_module
from guard.policy.python import policy

GOOD = """# METADATA
# title: T
# description: D
# custom:
#   id: X-1
#   severity: high
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["3.5.1", 10.2]
#     iso27001: [A.8.24]
#   rationale: R
package guard.config.x

import rego.v1

deny contains 1 if false

test_a if true
test_b := true
"""


def test_parses_policy_fields() -> None:
    m = parse_module("p.rego", GOOD)
    assert m.package == "guard.config.x" and m.package_line == 13
    assert m.meta is not None
    assert (m.meta.id, m.meta.severity, m.meta.input, m.meta.category) == ("X-1", Severity.HIGH, "config", "iac")
    assert m.meta.controls == {"soc2": ("CC6.1",), "pci-dss": ("3.5.1", "10.2"), "iso27001": ("A.8.24",)}
    assert m.meta.cwe == ("CWE-311",) and m.meta.rationale == "R"
    assert [t for t, _ in m.tests] == ["test_a", "test_b"] and m.has_deny
    rule = m.meta.rule()
    assert rule.controls["soc2"] == ("CC6.1",) and "soc2:CC6.1" in rule.tags


def test_control_ids_keep_their_text() -> None:
    m = parse_module("p.rego", GOOD.replace('10.2]', '1.10]'))
    assert m.meta is not None and m.meta.controls["pci-dss"][1] == "1.10"


@pytest.mark.parametrize("old,new,line,text", [
    ("#   severity: high", "#   severity: urgent", 1, "severity"),
    ("#   severity: high", "#   severity: high\n#   sevrity: x", 1, "custom.sevrity"),
    ("#     soc2: [CC6.1]", "#     soc2: [CC6.1", 10, "invalid METADATA YAML"),
    ("# title: T", "# titel: T", 2, "unknown METADATA key `titel`"),
    ("#   cwe: [CWE-311]", "#   cwe: [311]", 1, "cwe"),
])
def test_bad_metadata_names_file_and_line(old: str, new: str, line: int, text: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_module("pol/p.rego", GOOD.replace(old, new))
    assert f"pol/p.rego:{line}" in str(err.value) and text in str(err.value)


def test_guard_package_without_id_is_an_error() -> None:
    with pytest.raises(PolicyError, match="custom.id"):
        parse_module("p.rego", GOOD.replace("#   id: X-1\n", ""))


def test_library_module_has_no_meta() -> None:
    m = parse_module("lib.rego", "package guard.lib\nf(x) := x\n")
    assert m.meta is None and m.tests == ()


def test_python_decorator_validates_like_metadata() -> None:
    @policy(id="P-1", title="t", description="d", severity="low", controls={"gdpr": ["Art. 5"]}, input="findings")
    def p(input):  # noqa: ANN001
        return []

    assert p.__guard_policy__.meta.controls == {"gdpr": ("Art. 5",)}
    assert p.__guard_policy__.meta.category == "policy"
    with pytest.raises(PolicyError, match="test_policy_metadata.py:"):
        @policy(id="P-2", title="t", description="d", severity="nope", controls={"gdpr": ["Art. 5"]})
        def q(input):  # noqa: ANN001
            return []
