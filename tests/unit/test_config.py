from pathlib import Path

import pytest

from guard.config import ConfigError, load


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".guard.yaml").write_text(text)
    return tmp_path


def test_defaults_without_a_file(tmp_path):
    cfg = load(tmp_path, env={})
    assert cfg.fail_on == "high" and cfg.source is None
    assert cfg.frameworks == ["soc2", "pci-dss", "iso27001", "gdpr"]


def test_precedence_flags_over_env_over_file(tmp_path):
    write(tmp_path, "fail_on: low\ntimeout: 30\npolicies:\n  engine: opa\n")
    assert load(tmp_path, env={}).fail_on == "low"
    assert load(tmp_path, env={"GUARD_FAIL_ON": "medium"}).fail_on == "medium"
    cfg = load(tmp_path, env={"GUARD_FAIL_ON": "medium"}, flags={"fail_on": "critical", "timeout": None})
    assert cfg.fail_on == "critical"
    assert cfg.timeout == 30  # a None flag does not override the file
    assert load(tmp_path, env={"GUARD_POLICIES_ENGINE": "regorus"}).policies.engine == "regorus"


def test_env_lists_are_comma_separated(tmp_path):
    cfg = load(tmp_path, env={"GUARD_SCANNERS": "bandit, semgrep", "GUARD_SOFT_FAIL": "true"})
    assert cfg.scanners == ["bandit", "semgrep"] and cfg.soft_fail is True


def test_unknown_key_names_file_and_line(tmp_path):
    write(tmp_path, "fail_on: high\n\nscannerz: [bandit]\n")
    with pytest.raises(ConfigError, match=r"\.guard\.yaml:3: unknown key `scannerz`"):
        load(tmp_path, env={})


def test_missing_required_keys_are_named_with_line(tmp_path):
    write(tmp_path, "fail_on: high\nmanual_controls:\n  - {framework: soc2, control: CC1.2}\n")
    with pytest.raises(ConfigError, match=r":3: `manual_controls.0` is missing `evidence`, `owner`, `date`, `expires`"):
        load(tmp_path, env={})


def test_nested_unknown_key_and_wrong_type(tmp_path):
    write(tmp_path, "policies:\n  engine: regorus\n  pathz: []\n")
    with pytest.raises(ConfigError, match=r":3: unknown key `policies.pathz`"):
        load(tmp_path, env={})
    write(tmp_path, "timeout: soon\n")
    with pytest.raises(ConfigError, match=r":1: `timeout` must be a number"):
        load(tmp_path, env={})
    write(tmp_path, "soft_fail: 'yes'\n")
    with pytest.raises(ConfigError, match=r":1: `soft_fail` must be true or false"):
        load(tmp_path, env={})


def test_bad_values_and_yaml(tmp_path):
    write(tmp_path, "a: 1\nfail_on: severe\n")
    with pytest.raises(ConfigError):
        load(tmp_path, env={})
    write(tmp_path, "fail_on: high\nscanners: [bandit\n")
    with pytest.raises(ConfigError, match=r"\.guard\.yaml:\d+: invalid YAML"):
        load(tmp_path, env={})
    write(tmp_path, "- just\n- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load(tmp_path, env={})


def test_yaml_aliases_are_refused(tmp_path):
    write(tmp_path, "exclude: &x ['a']\nscanners: *x\n")
    with pytest.raises(ConfigError, match="aliases are not allowed"):
        load(tmp_path, env={})


def test_tool_settings_and_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.guard]\nfail_on = "low"\n'
                                            'tools = { bandit = { path = "/opt/bandit", timeout = 5 } }\n')
    cfg = load(tmp_path, env={})
    assert cfg.fail_on == "low" and cfg.tool("bandit").path == "/opt/bandit" and cfg.tool("bandit").timeout == 5
    (tmp_path / "pyproject.toml").write_text('[tool.guard]\nfail_on = "low"\nbogus = 1\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml:3: unknown key `bogus`"):
        load(tmp_path, env={})


def test_skipped_ecosystems_are_osv_names(tmp_path):
    write(tmp_path, "advisories:\n  skip_ecosystems:\n    - npm\n    - cargo\n")
    with pytest.raises(ConfigError, match=r"\.guard\.yaml:4: unknown ecosystem 'cargo' \(known: PyPI, npm, .*crates"):
        load(tmp_path, env={})
    write(tmp_path, "advisories:\n  skip_ecosystems: [npm, crates.io, purl:deb]\n")
    assert load(tmp_path, env={}).advisories.skip_ecosystems == ["npm", "crates.io", "purl:deb"]
