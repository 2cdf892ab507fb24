"""User-added frameworks: loaded from framework_paths, validated with file:line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guard.compliance.frameworks import FrameworkError, load_file, load_frameworks
from guard.compliance.mappings import controls_for
from guard.config import load as load_config
from guard.model import Category, Rule

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"


def _rule(rid: str, cwe: tuple[str, ...] = ()) -> Rule:
    return Rule(id=rid, name=rid, short_description=rid, full_description=rid, help_text=rid, cwe=cwe)


def test_user_framework_loads_alongside_builtins():
    soc2, hipaa = load_frameworks(["soc2", "hipaa"], [FIXTURES / "good"])
    assert hipaa.id == "hipaa" and not hipaa.builtin and len(hipaa.controls) == 4
    assert hipaa.control("164.312(b)").title == "Audit controls"


def test_user_framework_maps_checks_cwes_by_its_own_declarations():
    frameworks = load_frameworks(["hipaa"], [FIXTURES / "good"])
    by_check = controls_for(_rule("GUARD-S3-002"), frameworks, tool="policy", category=Category.POLICY)
    assert by_check == {"hipaa": ("164.312(a)(1)",)}
    by_cwe = controls_for(_rule("B501", ("CWE-295",)), frameworks, tool="bandit", category=Category.SAST)
    assert by_cwe == {"hipaa": ("164.312(e)(1)",)}
    assert controls_for(_rule("B101", ("CWE-703",)), frameworks, tool="bandit", category=Category.SAST) == {}


def test_missing_field_is_reported_with_file_and_line():
    with pytest.raises(FrameworkError) as err:
        load_file(FIXTURES / "bad" / "missing-title.yaml")
    message = str(err.value)
    assert "missing-title.yaml:7:" in message and "'title' is a required property" in message


def test_every_schema_error_is_listed_with_its_line():
    with pytest.raises(FrameworkError) as err:
        load_file(FIXTURES / "bad" / "wrong-types.yaml")
    lines = str(err.value).splitlines()
    assert any(l.startswith(str(FIXTURES / "bad" / "wrong-types.yaml") + ":1:") and "Bad Id" in l for l in lines)
    assert any(":3:" in l and "version" in l for l in lines)  # a number, not a string
    assert any(":8:" in l and "89" in l for l in lines)  # CWE-89 spelled as a bare number
    assert any(":9:" in l and "colour" in l for l in lines)  # unknown key under maps


def test_broken_references_and_duplicates_name_their_lines():
    with pytest.raises(FrameworkError) as err:
        load_file(FIXTURES / "bad" / "references.yaml")
    message = str(err.value)
    assert "references.yaml:13: " in message and "unknown group 'G9'" in message
    assert "references.yaml:14: " in message and "duplicates 'R-1'" in message
    assert "references.yaml:20: " in message and "unknown parent 'R-7'" in message


def test_invalid_yaml_names_the_line():
    with pytest.raises(FrameworkError) as err:
        load_file(FIXTURES / "bad" / "syntax.yaml")
    assert "syntax.yaml:" in str(err.value) and "invalid YAML" in str(err.value)


def test_a_user_file_cannot_redefine_a_builtin_id(tmp_path):
    text = (FIXTURES / "good" / "hipaa-security.yaml").read_text().replace("id: hipaa", "id: soc2")
    (tmp_path / "mine.yaml").write_text(text)
    with pytest.raises(FrameworkError) as err:
        load_frameworks(["soc2"], [tmp_path])
    assert "mine.yaml" in str(err.value) and "already defined" in str(err.value)


def test_one_broken_user_file_fails_loading_even_for_other_ids(tmp_path):
    shutil.copy(FIXTURES / "bad" / "missing-title.yaml", tmp_path)
    with pytest.raises(FrameworkError, match=r"missing-title.yaml:7"):
        load_frameworks(["soc2"], [tmp_path])


def test_missing_framework_path_is_an_error(tmp_path):
    with pytest.raises(FrameworkError, match="does not exist"):
        load_frameworks(["soc2"], [tmp_path / "nope"])


def test_config_accepts_framework_paths(tmp_path):
    (tmp_path / ".guard.yaml").write_text("framework_paths: [compliance]\nframeworks: [soc2, hipaa]\n")
    config = load_config(tmp_path, env={})
    assert config.framework_paths == ["compliance"]
