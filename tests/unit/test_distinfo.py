"""A tool's version from its environment's package metadata, and how guard starts the pinned version."""

from __future__ import annotations

import os
from pathlib import Path

from guard.scanners.distinfo import dist_version, package_file, started_by


def env(tmp_path: Path, dist_info: str, script: str) -> str:
    """A virtual environment holding one distribution's metadata and its console script."""
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    (site / dist_info).mkdir(parents=True)
    (tmp_path / "bin").mkdir()
    python = tmp_path / "bin" / "python3.11"
    python.write_text("")
    python.chmod(0o755)
    exe = tmp_path / "bin" / "tool"
    exe.write_text(f"#!{python}\n{script}\n")
    return str(exe)


def test_hyphenated_names_match_their_underscored_metadata_folder(tmp_path: Path) -> None:
    exe = env(tmp_path, "detect_secrets-1.5.0.dist-info", "from detect_secrets.main import main")
    assert dist_version(exe, "detect-secrets") == "1.5.0"  # the folder is named with an underscore
    assert dist_version(exe, "Detect_Secrets") == "1.5.0"
    assert dist_version(exe, "detect") is None


def test_the_pinned_version_is_started_by_guards_script_anything_else_as_it_is(tmp_path: Path) -> None:
    exe = env(tmp_path, "detect_secrets-1.5.0.dist-info", "from detect_secrets.main import main")
    python = os.path.join(tmp_path, "bin", "python3.11")
    assert started_by(exe, "detect-secrets", "1.5.0", "detect_secrets.main", "start.py") == [python, "start.py"]
    assert started_by(exe, "detect-secrets", "1.4.0", "detect_secrets.main", "start.py") == [exe]  # other version
    assert started_by(exe, "detect-secrets", "1.5.0", "checkov.main", "start.py") == [exe]  # another script
    missing = str(tmp_path / "missing")
    assert started_by(missing, "detect-secrets", "1.5.0", "x", "start.py") == [missing]


def test_a_file_of_the_pinned_version_s_package_is_found_in_its_environment(tmp_path: Path) -> None:
    exe = env(tmp_path, "semgrep-1.185.0.dist-info", "from semgrep.console_scripts.entrypoint import main")
    core = tmp_path / "lib" / "python3.11" / "site-packages" / "semgrep" / "bin" / "semgrep-core"
    core.parent.mkdir(parents=True)
    core.write_text("")
    marker, relative = "semgrep.console_scripts", "semgrep/bin/semgrep-core"
    assert package_file(exe, "semgrep", "1.185.0", marker, relative) is None  # not executable
    core.chmod(0o755)
    assert package_file(exe, "semgrep", "1.185.0", marker, relative) == str(core)
    assert package_file(exe, "semgrep", "1.184.0", marker, relative) is None  # another version
    assert package_file(exe, "semgrep", "1.185.0", "checkov.main", relative) is None  # another script
    assert package_file(exe, "semgrep", "1.185.0", marker, "semgrep/bin/missing") is None
