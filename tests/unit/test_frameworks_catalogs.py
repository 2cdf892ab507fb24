"""The built-in catalogs and mapping files: counts, sources, and that every mapping resolves."""

from __future__ import annotations

import re

import pytest
import yaml

from guard.compliance.coverage import builtin_checks, coverage, policy_checks, scanner_checks, semgrep_checks
from guard.compliance.frameworks import BUILTIN_DIR, FrameworkError, available_frameworks, load_frameworks
from guard.compliance.mappings import builtin_mappings, check_mappings, controls_for, normalize_cwe
from guard.policy.loader import builtin_dir
from guard.scanners.bandit_tests import BANDIT_TESTS

ALL = ["soc2", "pci-dss", "iso27001", "gdpr"]


@pytest.fixture(scope="module")
def fw():
    return {f.id: f for f in load_frameworks(ALL)}


def test_soc2_has_exactly_the_61_criteria(fw):
    soc2 = fw["soc2"]
    ids = [c.id for c in soc2.controls]
    assert len(ids) == 61 == len(set(ids))
    series = {}
    for cid in ids:
        series.setdefault(re.match(r"[A-Z]+\d?", cid).group(0), []).append(cid)
    assert {k: len(v) for k, v in series.items() if k.startswith("CC")} == {
        "CC1": 5, "CC2": 3, "CC3": 4, "CC4": 2, "CC5": 3, "CC6": 8, "CC7": 5, "CC8": 1, "CC9": 2}
    assert soc2.control("CC6.1").title == "Logical Access"
    assert all(c.group for c in soc2.controls)


def test_iso27001_has_the_93_annex_a_controls_in_four_themes(fw):
    iso = fw["iso27001"]
    assert len(iso.controls) == 93
    by_theme = {}
    for c in iso.controls:
        by_theme[c.group] = by_theme.get(c.group, 0) + 1
    assert by_theme == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
    assert iso.control("A.8.28").title == "Secure coding"


def test_pci_has_the_12_requirements_their_sections_and_requirements(fw):
    pci = fw["pci-dss"]
    numeric_groups = [g.id for g in pci.groups if g.id.isdigit()]
    assert numeric_groups == [str(n) for n in range(1, 13)]
    sections = [c for c in pci.controls if not c.parent]
    assert len([c for c in sections if c.id[0].isdigit()]) == 63
    assert len([c for c in sections if c.id.startswith("A")]) == 8
    for cid in ("3.5.1", "4.2.1", "6.3.3", "8.3.6", "10.2.1", "8.6.2"):
        control = pci.control(cid)
        assert control is not None and control.parent == cid.rsplit(".", 1)[0]
    assert pci.ancestors("10.2.1.2") == ["10.2.1", "10.2"]
    assert {c.group for c in sections} <= {g.id for g in pci.groups}


def test_gdpr_lists_the_articles_with_technical_obligations(fw):
    ids = {c.id for c in fw["gdpr"].controls}
    assert {"Art. 5", "Art. 25", "Art. 30", "Art. 32", "Art. 33", "Art. 34", "Art. 35"} <= ids
    assert "Art. 1" not in ids and len(ids) == 14


def test_every_builtin_catalog_keeps_its_sources(fw):
    for framework in fw.values():
        assert framework.builtin and framework.sources, framework.id
        for source in framework.sources:
            assert source["url"].startswith("https://github.com/") and len(source["commit"]) == 40


def test_control_ids_are_looked_up_leniently(fw):
    assert fw["iso27001"].control("8.24").id == "A.8.24"
    assert fw["gdpr"].control("Art.32").id == "Art. 32"
    assert fw["gdpr"].control("article 32").id == "Art. 32"
    assert fw["soc2"].control("cc6.1").id == "CC6.1"
    assert fw["soc2"].control("CC6.9") is None


def test_unknown_framework_is_named_with_the_known_ones():
    with pytest.raises(FrameworkError) as err:
        load_frameworks(["soc2", "hipaa"])
    assert "'hipaa'" in str(err.value) and "iso27001, pci-dss, soc2" in str(err.value)


def test_every_mapping_entry_names_real_controls_and_gives_a_reason(fw):
    mappings = builtin_mappings()
    assert check_mappings(mappings, list(fw.values())) == []
    for table in (mappings.cwe, mappings.categories, mappings.rules):
        for entry in table.values():
            assert len(entry.rationale.split()) >= 6 and "\n" not in entry.rationale, entry.key


def test_required_cwes_are_mapped_to_every_framework_they_concern():
    required = [78, 79, 89, 94, 95, 22, 295, 327, 328, 330, 377, 502, 532, 798, 259, 321, 732, 918, 601, 611,
                1333, 400, 20, 200, 209, 311, 312, 319, 326, 352, 384, 521, 522, 613, 614, 693, 829, 862, 863,
                915, 1104]
    cwe = builtin_mappings().cwe
    missing = [n for n in required if f"CWE-{n}" not in cwe]
    assert missing == []
    for n in required:
        controls = cwe[f"CWE-{n}"].controls
        assert {"soc2", "pci-dss", "iso27001"} <= set(controls), n


def test_every_cwe_bandit_the_semgrep_pack_and_registered_scanners_emit_is_mapped():
    cwe = builtin_mappings().cwe
    bandit = {c for _, c in BANDIT_TESTS.values()}
    semgrep = {normalize_cwe(c) for check in semgrep_checks([builtin_dir() / "semgrep"]) for c in check.rule.cwe}
    scanners = {normalize_cwe(c) for check in scanner_checks() for c in check.rule.cwe}
    assert semgrep, "the semgrep pack declares CWE metadata"
    assert sorted(bandit - set(cwe)) == [] and sorted(semgrep - set(cwe)) == []
    assert sorted(scanners - {None} - set(cwe)) == []


def test_every_control_the_policy_pack_names_exists(fw):
    checks = policy_checks([builtin_dir()])
    assert checks
    for check in checks:  # raises FrameworkError naming the policy if an id is unknown
        controls_for(check.rule, list(fw.values()), tool="policy", category=check.category)


def test_rules_yaml_keys_are_tool_prefixed_and_categories_are_real():
    doc = yaml.safe_load((BUILTIN_DIR / "mappings" / "rules.yaml").read_text())
    assert all(":" in key for key in doc["rules"])
    assert set(builtin_mappings().categories) == {"dependency", "secret", "iac", "container", "ci", "cloud", "sast"}


def test_coverage_counts_only_controls_reached_by_shipped_checks(fw):
    results = {r.framework: r for r in coverage(list(fw.values()), builtin_checks())}
    soc2 = results["soc2"]
    assert soc2.total == 61 and 0 < soc2.automated < 61
    assert "CC1.1" not in soc2.covered  # board oversight: nothing automated can reach it
    assert all(names for names in soc2.covered.values())
    assert results["pci-dss"].top_level == 71 and results["pci-dss"].top_level_reached >= 1
    assert set(available_frameworks()) == set(ALL)
