"""Control resolution order and finding annotation."""

from __future__ import annotations

import pytest

from guard.compliance.frameworks import load_frameworks
from guard.compliance.mappings import annotate, builtin_mappings, control_tags, controls_for, normalize_cwe
from guard.model import Category, Finding, Rule, Severity


def rule(rid: str, cwe: tuple[str, ...] = (), controls: dict | None = None) -> Rule:
    return Rule(id=rid, name=rid, short_description=rid, full_description=rid, help_text=rid, cwe=cwe,
                controls=controls or {})


@pytest.fixture(scope="module")
def fws():
    return load_frameworks(["soc2", "pci-dss", "iso27001", "gdpr"])


@pytest.mark.parametrize("raw,expected", [
    ("CWE-89", "CWE-89"), (89, "CWE-89"), ("cwe-089", "CWE-89"),
    ("CWE-79: Improper Neutralization of Input", "CWE-79"), ("OWASP A03", None),
])
def test_normalize_cwe(raw, expected):
    assert normalize_cwe(raw) == expected


def test_cwe_mapping_from_the_mapping_file(fws):
    got = controls_for(rule("B608", ("CWE-89",)), fws, tool="bandit", category=Category.SAST)
    assert got == {fid: builtin_mappings().cwe["CWE-89"].controls[fid] for fid in got}
    assert got["pci-dss"] == ("6.2.4",)


def test_metadata_wins_per_framework_and_the_rest_falls_through(fws):
    r = rule("GUARD-T-001", ("CWE-89",), controls={"soc2": ("CC6.1",)})
    got = controls_for(r, fws, tool="policy", category=Category.POLICY)
    assert got["soc2"] == ("CC6.1",)  # from METADATA only
    assert got["pci-dss"] == ("6.2.4",)  # from the CWE


def test_rule_override_wins_over_cwe_and_category(fws):
    got = controls_for(rule("CKV_AWS_19", ("CWE-89",)), fws, tool="checkov", category=Category.IAC)
    assert got["pci-dss"] == ("3.5.1",)
    wildcard = controls_for(rule("AVD-AWS-0107"), fws, tool="trivy", category=Category.IAC)
    assert wildcard["pci-dss"] == ("1.3.1", "1.4.1")
    other_tool = controls_for(rule("CKV_AWS_19"), fws, tool="bandit", category=Category.IAC)
    assert other_tool["pci-dss"] == ("2.2.1",)  # the key is tool-specific: category fallback


def test_category_is_the_last_resort(fws):
    assert controls_for(rule("x"), fws, tool="detect-secrets", category=Category.SECRET)["pci-dss"] == ("8.3.2", "8.6.2")
    assert controls_for(rule("x"), fws, tool="policy", category=Category.POLICY) == {}


def test_finding_cwe_and_controls_count(fws):
    f = Finding(tool="semgrep", rule=rule("r"), message="m", severity=Severity.LOW, category=Category.SAST,
                cwe=("CWE-798",), controls={"gdpr": ("Art.5",)})
    got = controls_for(f, fws)
    assert got["pci-dss"] == ("8.6.2",) and got["gdpr"] == ("Art. 5",)


def test_annotate_fills_controls_and_keeps_other_frameworks(fws):
    f = Finding(tool="bandit", rule=rule("B608", ("CWE-89",)), message="m", severity=Severity.HIGH,
                category=Category.SAST, controls={"hipaa": ("164.312(a)(1)",)})
    (out,) = annotate([f], fws[:1])
    assert out.controls == {"hipaa": ("164.312(a)(1)",), "soc2": ("CC7.1", "CC8.1")}
    assert f.controls == {"hipaa": ("164.312(a)(1)",)}  # input untouched
    assert control_tags(out.controls) == ["hipaa:164.312(a)(1)", "soc2:CC7.1", "soc2:CC8.1"]
