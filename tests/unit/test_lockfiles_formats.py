"""Every lockfile format: the pinned dependencies it yields, with their file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guard.lockfiles.base import LockfileError, LockfileParser
from guard.lockfiles.registry import PARSERS, lockfiles, parser_for

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"


def deps(path: str) -> list[tuple[object, ...]]:
    """(ecosystem, name, version, line[, path when pinned in another file]) in file order."""
    parser = parser_for(path)
    assert parser is not None, path
    return [
        (d.ecosystem, d.name, d.version, d.line) + (() if d.path == path else (d.path,))
        for d in parser.parse(ROOT, path)
    ]


EXPECTED = {
    # -r include first (its own file and lines), then hashes/markers/extras; unpinned, editable and path lines skipped
    "pip/requirements.txt": [
        ("PyPI", "PyYAML", "5.3", 1, "pip/requirements/base.txt"),
        ("PyPI", "django", "2.2.0", 2, "pip/requirements/base.txt"),
        ("PyPI", "Jinja2", "2.10", 5),
        ("PyPI", "requests", "2.19.1", 8),
    ],
    "python/poetry.lock": [("PyPI", "jinja2", "2.10", 5), ("PyPI", "markupsafe", "2.0.1", 18)],  # git source skipped
    "python/Pipfile.lock": [("PyPI", "pyyaml", "5.3", 14), ("PyPI", "jinja2", "2.10", 24)],
    "python/uv.lock": [("PyPI", "jinja2", "2.10", 14)],  # the editable project itself is skipped
    "python/pylock.toml": [("PyPI", "requests", "2.19.1", 7)],
    "python/pyproject.toml": [
        ("PyPI", "PyYAML", "5.3", 5),
        ("PyPI", "Jinja2", "2.10", 10),
        ("PyPI", "urllib3", "1.24.1", 13),
        ("PyPI", "Django", "2.2.0", 17),
    ],
    "npm-v1/package-lock.json": [
        ("npm", "lodash", "4.17.20", 8),
        ("npm", "old-thing", "1.0.0", 13),
        ("npm", "lodash", "3.10.1", 17),  # nested copy under old-thing
        ("npm", "lodash", "4.17.21", 23),  # "npm:lodash@4.17.21" alias
    ],
    "npm-v2/package-lock.json": [
        ("npm", "lodash", "4.17.15", 13),
        ("npm", "@scope/util", "2.0.0", 17),
        ("npm", "lodash", "4.17.21", 20),
    ],
    "npm-v3/package-lock.json": [("npm", "lodash", "4.17.21", 9), ("npm", "lodash-es", "4.17.20", 14)],
    "yarn-classic/yarn.lock": [
        ("npm", "@babel/code-frame", "7.12.13", 6),
        ("npm", "lodash", "4.17.20", 12),
        ("npm", "lodash", "3.10.1", 17),  # "old-lodash@npm:lodash@3.10.1" alias; file: entry skipped
    ],
    "yarn-berry/yarn.lock": [("npm", "lodash", "4.17.20", 9)],  # workspace entry skipped
    "pnpm-v5/pnpm-lock.yaml": [("npm", "lodash", "4.17.15", 11), ("npm", "@babel/core", "7.12.3", 15)],
    "pnpm-v6/pnpm-lock.yaml": [("npm", "lodash", "4.17.20", 10), ("npm", "@babel/core", "7.12.3", 14)],
    "pnpm-v9/pnpm-lock.yaml": [("npm", "lodash", "4.17.21", 13), ("npm", "@scope/pkg", "1.2.3", 16)],
    "go/go.mod": [
        ("Go", "golang.org/x/text", "v0.3.6", 6),
        ("Go", "github.com/pkg/errors", "v0.8.1", 7),  # after `replace ... => ... v0.8.1`
        ("Go", "golang.org/x/net", "v0.0.0-20210226172049-e18ecbb05110", 11),
    ],
    "gosum-only/go.sum": [("Go", "golang.org/x/text", "v0.3.7", 1), ("Go", "golang.org/x/text", "v0.3.0", 4)],
    "bun/bun.lock": [
        ("npm", "@types/node", "20.1.0", 24),
        ("npm", "lodash", "4.17.20", 30),
        ("npm", "lodash", "3.10.1", 32),  # "old-lodash" alias; github:, file: and workspace: entries skipped
        ("npm", "lodash", "4.17.21", 36),  # nested copy under ui-kit
    ],
    "cargo/Cargo.lock": [  # the workspace crates (no source) and the git crate are skipped
        ("crates.io", "aho-corasick", "1.1.2", 6),
        ("crates.io", "maybe-uninit", "2.0.0", 22),
        ("crates.io", "memchr", "2.7.1", 28),
        ("crates.io", "regex", "1.10.2", 44),
        ("crates.io", "regex-syntax", "0.8.2", 55),
        ("crates.io", "smallvec", "0.6.14", 61),
        ("crates.io", "smallvec", "1.6.0", 70),
    ],
    "bundler/Gemfile.lock": [  # GEM specs only (GIT and PATH gems, 6-space requirement lines skipped)
        ("RubyGems", "mini_portile2", "2.8.5", 18),
        ("RubyGems", "nokogiri", "1.15.4", 19),
        ("RubyGems", "nokogiri", "1.15.4", 22),  # "1.15.4-x86_64-linux": the platform is not the version
        ("RubyGems", "racc", "1.7.3", 24),
        ("RubyGems", "rack", "2.2.8", 25),
    ],
    "composer/composer.lock": [  # the path package and the dev-main branch are skipped
        ("Packagist", "guzzlehttp/guzzle", "7.4.2", 23),
        ("Packagist", "symfony/deprecation-contracts", "3.0.1", 56),  # tag "v3.0.1"
        ("Packagist", "phpunit/phpunit", "9.5.20", 72),  # packages-dev
    ],
    # a version, a $(Property), a range's inclusive lower bound; floating (12.*) and central (no Version) skipped
    "nuget/App/App.csproj": [
        ("NuGet", "Newtonsoft.Json", "12.0.3", 7),
        ("NuGet", "Serilog", "3.1.1", 8),
        ("NuGet", "Polly", "7.2.4", 9),
    ],
    "nuget/Directory.Packages.props": [("NuGet", "Microsoft.Extensions.Http", "8.0.0", 6)],
    "nuget/Legacy/packages.config": [("NuGet", "log4net", "2.0.8", 3)],
    "nuget/App/packages.lock.json": [("NuGet", "Newtonsoft.Json", "12.0.3", 5)],  # once for two frameworks
    # ${property} and ${project.*} resolved, dependencyManagement read; parent-managed and plugin deps skipped
    "maven/pom.xml": [
        ("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", 18),
        ("Maven", "com.example:common", "1.0.0", 27),
        ("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.13.0", 35),
    ],
    "maven/gradle.lockfile": [
        ("Maven", "org.apache.logging.log4j:log4j-api", "2.14.1", 4),
        ("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", 5),
    ],
    "sbom/image.cdx.json": [
        ("npm", "lodash", "4.17.20", 13),
        ("Go", "golang.org/x/text", "v0.3.6", 20),
        ("PyPI", "jinja2", "2.10", 26),
        ("npm", "@babel/core", "7.0.0", 28),  # nested component, percent-encoded scope
        ("purl:deb", "debian/libssl3", "3.0.11-1~deb12u2", 35),  # no OSV ecosystem here: named by its type
    ],
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_format_yields_pinned_dependencies_with_lines(path: str) -> None:
    assert deps(path) == EXPECTED[path]


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_a_format_declares_the_ecosystem_it_reads(path: str) -> None:
    parser = parser_for(path)
    assert parser is not None
    assert parser.ecosystem is None or {e for e, *_ in EXPECTED[path]} == {parser.ecosystem}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_reported_line_names_the_package(path: str) -> None:
    parser = parser_for(path)
    assert parser is not None
    for dep in parser.parse(ROOT, path):
        line = (ROOT / dep.path).read_text().splitlines()[dep.line - 1]
        short = re.split(r"[/:]", dep.name)[-1].lower()
        assert short in line.lower() or dep.version.lstrip("v") in line, (dep, line)


def test_every_parser_honours_the_protocol() -> None:
    assert all(isinstance(p, LockfileParser) for p in PARSERS)
    assert len({p.name for p in PARSERS}) == len(PARSERS)


def test_selection_by_name() -> None:
    files = [
        "requirements.txt", "requirements-dev.txt", "reqs/requirements/base.txt", "dev_requirements.txt",
        "poetry.lock", "Pipfile.lock", "uv.lock", "pylock.toml", "pylock.prod.toml", "pyproject.toml",
        "web/package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "go.mod", "go.sum",
        "out/app.cdx.json", "bom.json", "bun.lock", "Cargo.lock", "Gemfile.lock", "gems.locked", "composer.lock",
        "src/App/App.csproj", "Lib.fsproj", "Directory.Packages.props", "packages.config", "packages.lock.json",
        "pom.xml", "gradle.lockfile",
        "README.md", "package.json", "setup.py", "notes.txt", "Pipfile", "bun.lockb", "Cargo.toml", "Gemfile",
        "composer.json", "build.gradle", "App.sln",
    ]
    assert lockfiles(files) == files[:-11]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("requirements.txt", "ok==1.0\nthis is not a requirement ===\n", "requirements.txt:2: invalid requirement"),
        ("requirements.txt", "-r missing.txt\n", "requirements.txt:1: included file missing.txt not found"),
        ("poetry.lock", "[[package]\nname = 'x'\n", "poetry.lock:1: invalid TOML"),
        ("Cargo.lock", "version = 3\n\n[[package]]\nname = \"x\"\nversion = 1.0\n[[package]\n",
         "Cargo.lock:6: invalid TOML"),
        ("Cargo.lock", "[[package]]\nname = \"x\"\nsource = \"registry+https://example.test/index\"\n",
         "Cargo.lock:2: package 'x' has no version"),
        ("composer.lock", '{\n  "packages": [\n    {"name": "a/b", "version": "1.0.0"},\n  ]\n}\n',
         "composer.lock:4: invalid JSON"),
        ("composer.lock", '{\n  "packages": [\n    {\n      "name": "a/b"\n    }\n  ]\n}\n',
         "composer.lock:4: `packages` entry without a name and a version"),
        ("Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.8)\n    rack\n",
         "Gemfile.lock:5: malformed spec 'rack'"),
        ("bun.lock", '{\n  "packages": {\n    "lodash": ["lodash@4.17.20", "", {},],\n  }\n',
         "bun.lock:5: invalid JSON"),  # trailing commas are fine, the missing `}` is not
        ("bun.lock", '{\n  "packages": {\n    "lodash": "lodash@4.17.20",\n  },\n}\n',
         'bun.lock:3: package \'lodash\' must be an array starting "name@version"'),
        ("package-lock.json", '{\n  "packages": {\n    "node_modules/x": {"version": }\n  }\n}\n',
         "package-lock.json:3: invalid JSON"),
        ("pnpm-lock.yaml", "packages:\n  x: [\n", "pnpm-lock.yaml:"),
        ("go.mod", "module m\nrequire golang.org/x/text\n", "go.mod:2: malformed require"),
        ("go.sum", "golang.org/x/text v0.3.7\n", "go.sum:1: malformed go.sum line"),
        ("yarn.lock", "lodash@^4:\n  version \"4.17.20\"\nbroken header\n", "yarn.lock:3: expected an entry header"),
        ("app.cdx.json", '{"bomFormat": "SPDX"}', "app.cdx.json:1: not a CycloneDX BOM"),
        ("Pipfile.lock", "[1, 2]", "Pipfile.lock:1: expected a JSON object"),
        ("App.csproj", '<Project>\n  <ItemGroup>\n    <PackageReference Include="A" Version="1.0">\n  </ItemGroup>\n',
         "App.csproj:4: invalid XML: mismatched tag"),
        ("App.csproj", '<Project>\n  <ItemGroup>\n    <PackageReference Version="1.0" />\n  </ItemGroup>\n</Project>\n',
         "App.csproj:3: <PackageReference> without a package name"),
        ("packages.config", '<!DOCTYPE p [<!ENTITY x "y">]>\n<packages>&x;</packages>\n',
         "packages.config: XML with a DTD or entities is not read"),
        ("packages.lock.json", '{\n  "version": 1,\n  "dependencies": {\n    "net8.0": {\n      "A": {"type": "Direct"}\n'
         '    }\n  }\n}\n', "packages.lock.json:5: package 'A' has no `resolved` version"),
        ("pom.xml", "<settings/>\n", "pom.xml:1: not a Maven POM"),
        ("pom.xml", "<project>\n  <dependencies>\n    <dependency>\n      <version>1</version>\n    </dependency>\n"
         "  </dependencies>\n</project>\n", "pom.xml:3: <dependency> without a groupId and an artifactId"),
        ("gradle.lockfile", "# comment\norg.example:lib=compileClasspath\n",
         "gradle.lockfile:2: expected group:artifact:version=configurations"),
    ],
)
def test_bad_input_names_file_and_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    (tmp_path / name).write_text(text)
    parser = parser_for(name)
    assert parser is not None
    with pytest.raises(LockfileError, match=message.replace(".", r"\.").replace("[", r"\[")):
        parser.parse(tmp_path, name)


def test_include_cycle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r requirements-dev.txt\n")
    (tmp_path / "requirements-dev.txt").write_text("--requirement=requirements.txt\n")
    with pytest.raises(LockfileError, match="include cycle"):
        parser_for("requirements.txt").parse(tmp_path, "requirements.txt")  # type: ignore[union-attr]


def test_non_utf8_lockfile_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "yarn.lock").write_bytes(b"lodash@^4:\n  version \"4.17.\xff\"\n")
    with pytest.raises(LockfileError, match=r"yarn\.lock: not UTF-8"):
        parser_for("yarn.lock").parse(tmp_path, "yarn.lock")  # type: ignore[union-attr]


def test_generic_sbom_name_in_another_format_is_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "sbom.json").write_text('{"spdxVersion": "SPDX-2.3"}')
    assert parser_for("sbom.json").parse(tmp_path, "sbom.json") == []  # type: ignore[union-attr]
