"""Dependency manifests no lockfile pins: which count, and where a lockfile covers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.lockfiles.manifests import manifests, unlocked

DEPS_JSON = '{"name": "web", "dependencies": {"lodash": "^4.17.0"}}'
POM = ("<project><properties><v>1.2</v></properties><dependencies><dependency><groupId>g</groupId>"
       "<artifactId>a</artifactId>{version}</dependency></dependencies></project>")
CASES = {
    # manifest text, files beside or above it, counted
    "npm": ({"package.json": DEPS_JSON}, True),
    "npm locked": ({"package.json": DEPS_JSON, "package-lock.json": "{}"}, False),
    "npm yarn": ({"package.json": DEPS_JSON, "yarn.lock": ""}, False),
    "npm scripts only": ({"package.json": '{"scripts": {"build": "tsc"}}'}, False),
    "npm unreadable": ({"package.json": '{"dependencies": '}, True),  # whether it declares any is unknown
    "composer platform only": ({"composer.json": '{"require": {"php": ">=8.1", "ext-json": "*"}}'}, False),
    "composer": ({"composer.json": '{"require": {"monolog/monolog": "^3"}}'}, True),
    "cargo": ({"Cargo.toml": '[package]\nname = "x"\n\n[dependencies]\nserde = "1"\n'}, True),
    "cargo target": ({"Cargo.toml": '[target.\'cfg(unix)\'.dependencies]\nnix = "0.27"\n'}, True),
    "cargo no deps": ({"Cargo.toml": '[package]\nname = "x"\n'}, False),
    "cargo odd target": ({"Cargo.toml": 'target = "wasm32"\n[dependencies]\nserde = "1"\n'}, True),
    "gradle": ({"build.gradle": "plugins { id 'java' }\ndependencies {\n  implementation 'a:b:1'\n}\n"}, True),
    "gradle locked": ({"build.gradle": "dependencies {\n}\n", "gradle.lockfile": ""}, False),
    "gradle kts": ({"build.gradle.kts": "dependencies {\n  implementation(\"a:b:1\")\n}\n"}, True),
    "bundler": ({"Gemfile": "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n"}, True),
    "pipenv": ({"Pipfile": '[packages]\nrequests = "*"\n'}, True),
    "pipenv locked": ({"Pipfile": '[packages]\nrequests = "*"\n', "Pipfile.lock": "{}"}, False),
    # a POM pins the versions it writes (checked as a lockfile); one Maven resolves at build time is not
    "pom literal": ({"pom.xml": POM.format(version="<version>${v}</version>")}, False),
    "pom from parent": ({"pom.xml": POM.format(version="")}, True),
    "pom range": ({"pom.xml": POM.format(version="<version>[1.0,2.0)</version>")}, True),
    "pom unreadable": ({"pom.xml": "<project><dependencies>"}, True),
    # pip requirements pin with `==`; a bare name or a range is chosen at install time
    "requirements bare names": ({"requirements.txt": "Flask\nRedis\ngunicorn\n"}, True),
    "requirements range": ({"requirements.txt": "flask==3.0.3\nredis>=4,<6  # cache\n"}, True),
    "requirements pinned": ({"requirements.txt": "flask==3.0.3 \\\n    --hash=sha256:abc\n-e .\n./vendored\n"}, False),
    "requirements constrained": ({"requirements-dev.txt": "-c constraints.txt\npytest\n"}, False),
    "requirements folder": ({"requirements/base.txt": "django~=5.0\n"}, True),
    "requirements options only": ({"requirements.txt": "--index-url https://pypi.org/simple\n"}, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_manifest_counts_when_it_declares_dependencies_no_lockfile_pins(tmp_path: Path, case: str) -> None:
    files, counted = CASES[case]
    for name, text in files.items():
        (tmp_path / "app" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "app" / name).write_text(text)
    found = unlocked(tmp_path, [f"app/{name}" for name in files])
    assert bool(found) is counted
    assert all(u.path.startswith("app/") for u in found)


def test_a_lockfile_in_a_folder_above_covers_workspace_members(tmp_path: Path) -> None:
    (tmp_path / "packages" / "ui").mkdir(parents=True)
    (tmp_path / "packages" / "ui" / "package.json").write_text(DEPS_JSON)
    assert [u.path for u in unlocked(tmp_path, ["packages/ui/package.json"])] == ["packages/ui/package.json"]
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    assert unlocked(tmp_path, ["packages/ui/package.json"]) == []


def test_manifests_of_skipped_ecosystems_are_not_selected() -> None:
    files = ["web/package.json", "Cargo.toml", "api/build.gradle", "README.md", "package-lock.json"]
    assert manifests(files) == ["web/package.json", "Cargo.toml", "api/build.gradle"]
    assert manifests(files, ["npm", "Maven"]) == ["Cargo.toml"]


def test_the_finding_points_at_the_first_dependency_no_version_pins(tmp_path: Path) -> None:
    files = {"requirements.txt": "# service\n-i https://pypi.org/simple\nflask==3.0.3\nredis>=4\ngunicorn\n",
             "Gemfile": "source 'https://rubygems.org'\n\ngem 'rails', '~> 7.1'\n",
             "package.json": '{\n  "name": "web",\n  "dependencies": {"lodash": "^4.17.0"}\n}\n'}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    lines = {u.path: u.line for u in unlocked(tmp_path, sorted(files))}
    assert lines == {"requirements.txt": 4, "Gemfile": 3, "package.json": 1}  # JSON keeps no line per entry
