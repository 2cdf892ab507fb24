"""The osv scanner end to end: real advisory data, real lockfiles, the example project."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from guard.advisories.store import AdvisoryStore
from guard.config import AdvisorySettings, Config
from guard.model import Category, Severity, Status
from guard.scanners.base import BuiltinScanner, ScannerError, all_scanner_classes
from guard.scanners.deps import CHECK, UNLOCKED, OsvScanner
from guard.scanners.runner import run_one

REPO = Path(__file__).resolve().parents[2]
PYPA = REPO.parent / "shared" / "reference" / "osv-pypi"
EXAMPLE = REPO / "examples" / "insecure-shop"
OSV = REPO / "tests" / "fixtures" / "osv"
LOCKS = REPO / "tests" / "fixtures" / "lockfiles"


def scanner_for(db: Path, max_age_days: int = 30, skip: tuple[str, ...] = ()) -> OsvScanner:
    return OsvScanner(Config(advisories=AdvisorySettings(db=str(db), max_age_days=max_age_days,
                                                         skip_ecosystems=list(skip))))


def tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def pypa_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PyPA database, imported once per session (the same folder the unit tests use)."""
    if not PYPA.is_dir():
        pytest.skip(f"PyPA reference data not at {PYPA}")
    directory = tmp_path_factory.getbasetemp() / "osv-pypa"
    store = AdvisoryStore(directory)
    if not store.exists():
        started = time.perf_counter()
        status = store.import_sources([str(PYPA)])
        print(f"\nimported {status.advisories} advisories in {time.perf_counter() - started:.2f}s")
    return directory


def fixture_store(factory: pytest.TempPathFactory, *folders: str) -> Path:
    """A store importing the OSV fixture records of `folders` (under tests/fixtures/osv)."""
    directory = factory.mktemp("osv-fixtures-" + "-".join(folders))
    AdvisoryStore(directory).import_sources([str(OSV / folder) for folder in folders])
    return directory


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_store(tmp_path_factory, "npm", "go")


@pytest.fixture(scope="module")
def crates_gems_packagist_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_store(tmp_path_factory, "crates", "rubygems", "packagist")


@pytest.fixture(scope="module")
def nuget_maven_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_store(tmp_path_factory, "nuget", "maven")


def test_registered_and_protocol() -> None:
    assert all_scanner_classes()["osv"] is OsvScanner
    scanner = OsvScanner(Config())
    assert isinstance(scanner, BuiltinScanner)
    assert (scanner.name, scanner.category) == ("osv", Category.DEPENDENCY)
    assert scanner.checks(["poetry.lock"]) == (CHECK,)
    assert scanner.checks(["requirements.txt"]) == (CHECK, UNLOCKED)  # it may name releases it does not pin
    assert scanner.checks(["web/package.json"]) == (UNLOCKED,)


# --- the example project against the real PyPA database ---------------------------------------

EXPECTED = {  # package: (line, {advisory: fixed versions}, smallest fix of everything)
    "Flask": (1, {"PYSEC-2018-66": ["0.12.3"], "PYSEC-2019-179": ["1.0"], "PYSEC-2023-62": ["2.2.5", "2.3.2"]},
              "2.2.5"),
    "Jinja2": (3, {"PYSEC-2019-217": ["2.10.1"], "PYSEC-2021-66": ["2.11.3"]}, "2.11.3"),
    "PyYAML": (4, {"PYSEC-2020-96": ["5.3.1"], "PYSEC-2021-142": ["5.4"]}, "5.4"),
    "requests": (5, {"PYSEC-2018-28": ["2.20.0"], "PYSEC-2023-74": ["2.31.0"]}, "2.31.0"),
}


def test_example_project(pypa_db: Path, tmp_path: Path) -> None:
    scanner = scanner_for(pypa_db)
    files = tree(EXAMPLE)
    assert scanner.select(files) == ["requirements.txt"]
    started = time.perf_counter()
    findings = list(scanner.scan(EXAMPLE, scanner.select(files), tmp_path / "work"))
    print(f"\nmatched {len(findings)} findings in {time.perf_counter() - started:.3f}s")
    by_package: dict[str, dict[str, object]] = {}
    for f in findings:
        by_package.setdefault(f.properties["package"], {})[f.rule_id] = f
    for package, (line, advisories, fix) in EXPECTED.items():
        got = by_package[package]
        assert {k: v.properties["fixed_versions"] for k, v in got.items()} == advisories, package
        for finding in got.values():
            assert finding.location.path == "requirements.txt" and finding.location.start_line == line
            assert finding.properties["fix"] == fix
    jinja = by_package["Jinja2"]["PYSEC-2019-217"]
    assert set(jinja.aliases) == {"CVE-2019-10906", "GHSA-462w-v97r-4m45"}
    assert jinja.properties["advisory_ids"] == ["PYSEC-2019-217"]
    assert (jinja.tool, jinja.found_by, jinja.category) == ("osv", ("osv",), Category.DEPENDENCY)
    assert (jinja.severity, jinja.severity_source) == (Severity.MEDIUM, "guard-default")
    assert jinja.rule.help_uri == "https://osv.dev/vulnerability/PYSEC-2019-217"
    assert "2.10.1" in jinja.rule.help_text and jinja.rule.short_description and jinja.rule.full_description
    assert jinja.resource == "pkg:pypi/Jinja2@2.10"
    rated = by_package["Werkzeug"]["PYSEC-2023-221"]  # carries a CVSS 3.1 vector in the PyPA data
    assert (rated.severity, rated.severity_source, rated.properties["security-severity"]) == (
        Severity.HIGH, "advisory", "7.5")
    assert by_package["urllib3"]["PYSEC-2023-212"].properties["fixed_versions"] == ["1.26.18", "2.0.7"]
    assert {f.properties["fix"] for f in by_package["urllib3"].values()} == {"1.26.18"}
    assert (tmp_path / "work" / "osv-matches.json").is_file()
    ids = [f.rule_id for f in findings]
    assert len(ids) == len(set(zip(ids, (f.properties["package"] for f in findings))))  # one per vuln and pin


def test_versions_just_outside_the_ranges_do_not_match(pypa_db: Path, tmp_path: Path) -> None:
    """The example's pins moved to each advisory's fixed version: only later advisories remain."""
    (tmp_path / "requirements.txt").write_text(
        "Jinja2==2.11.3\nPyYAML==5.4\nrequests==2.31.0\nFlask==2.2.5\nurllib3==1.26.18\n"
        "Jinja2==2.10.1\nPyYAML==5.3.1\nrequests==2.20.0\n"
    )
    findings = list(scanner_for(pypa_db).scan(tmp_path, ["requirements.txt"], tmp_path / "work"))
    assert sorted((f.location.start_line, f.rule_id) for f in findings) == [
        (6, "PYSEC-2021-66"), (7, "PYSEC-2021-142"), (8, "PYSEC-2023-74")]


# --- npm and Go lockfiles against the published npm / Go advisories ----------------------------


# the other ecosystems of the lockfile fixtures (purl:deb: an SBOM's Debian package)
NOT_NPM_OR_GO = ("PyPI", "crates.io", "RubyGems", "Packagist", "NuGet", "Maven", "purl:deb")


def test_npm_and_go_lockfiles(fixture_db: Path, tmp_path: Path) -> None:
    scanner = scanner_for(fixture_db, skip=NOT_NPM_OR_GO)  # the fixture store holds npm and Go advisories only
    files = tree(LOCKS)
    findings = list(scanner.scan(LOCKS, files, tmp_path / "work"))
    listed = json.loads((tmp_path / "work" / "osv-matches.json").read_text())["dependencies"]
    assert {(d["ecosystem"], d["checked"], d.get("why_not")) for d in listed} == {
        ("npm", True, None), ("Go", True, None),  # lockfiles of skipped ecosystems are not read; an SBOM's
        *((eco, False, "skipped (advisories.skip_ecosystems)") for eco in ("PyPI", "purl:deb"))}  # are listed
    assert not [f for f in findings if f.properties["ecosystem"] in NOT_NPM_OR_GO]
    assert scanner.version().endswith(
        ", 7 advisories; not checked: Maven, NuGet, Packagist, PyPI, RubyGems, crates.io, purl:deb)")
    seen = sorted((f.location.path, f.location.start_line, f.rule_id) for f in findings)
    assert ("npm-v1/package-lock.json", 8, "GHSA-35jh-r3h4-6jhm") in seen  # lodash 4.17.20
    assert ("npm-v1/package-lock.json", 17, "GHSA-p6mc-m468-83gw") in seen  # nested lodash 3.10.1
    assert not [s for s in seen if s[0] == "npm-v1/package-lock.json" and s[1] == 23]  # alias to 4.17.21
    assert not [s for s in seen if s[0] in {"npm-v3/package-lock.json", "pnpm-v9/pnpm-lock.yaml"}
                and s[2] != "GHSA-35jh-r3h4-6jhm"]
    assert ("npm-v3/package-lock.json", 14, "GHSA-35jh-r3h4-6jhm") in seen  # lodash-es 4.17.20
    for path, line in [("yarn-classic/yarn.lock", 12), ("yarn-berry/yarn.lock", 9), ("pnpm-v6/pnpm-lock.yaml", 10),
                       ("sbom/image.cdx.json", 13), ("bun/bun.lock", 30)]:
        assert {r for p, n, r in seen if (p, n) == (path, line)} == {"GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9"}
    assert {(n, r) for p, n, r in seen if p == "bun/bun.lock"} == {  # the alias to 3.10.1; not the 4.17.21 copy
        (30, "GHSA-35jh-r3h4-6jhm"), (30, "GHSA-29mw-wpgm-hmr9"),
        (32, "GHSA-35jh-r3h4-6jhm"), (32, "GHSA-p6mc-m468-83gw")}
    go = [f for f in findings if f.location.path == "go/go.mod"]
    assert sorted(f.rule_id for f in go) == ["GO-2021-0113", "GO-2022-1059"]  # go.sum beside it not read twice
    merged = next(f for f in go if f.rule_id == "GO-2021-0113")
    assert merged.aliases == ("GHSA-ppp9-7jff-5vj2", "CVE-2021-38561")  # one finding for GO + GHSA records
    assert merged.properties["advisory_ids"] == ["GO-2021-0113", "GHSA-ppp9-7jff-5vj2"]
    assert (merged.severity, merged.severity_source) == (Severity.HIGH, "advisory")  # from the GHSA CVSS vector
    assert merged.cwe == ("CWE-125",)
    assert merged.properties["fix"] == "0.3.8" and merged.location.start_line == 6
    gosum = sorted((f.location.start_line, f.rule_id) for f in findings if f.location.path == "gosum-only/go.sum")
    assert gosum == [(1, "GO-2022-1059"), (4, "GO-2020-0015"), (4, "GO-2021-0113"), (4, "GO-2022-1059")]
    lodash = next(f for f in findings if f.rule_id == "GHSA-35jh-r3h4-6jhm")
    assert lodash.cwe == ("CWE-77", "CWE-94") and lodash.properties["cvss_score"] == 7.2


# --- Cargo, Bundler and Composer lockfiles against published crates.io / RubyGems / Packagist advisories ---


def test_cargo_gemfile_and_composer_lockfiles(crates_gems_packagist_db: Path, tmp_path: Path) -> None:
    scanner = scanner_for(crates_gems_packagist_db)
    files = ["cargo/Cargo.lock", "bundler/Gemfile.lock", "composer/composer.lock"]
    assert scanner.select(files) == files
    findings = list(scanner.scan(LOCKS, files, tmp_path / "work"))
    seen = sorted((f.location.path, f.location.start_line, f.rule_id, f.properties["fix"]) for f in findings)
    assert seen == [
        ("bundler/Gemfile.lock", 19, "GHSA-xc9x-jj77-9p9j", "1.16.2"),  # nokogiri 1.15.4
        ("bundler/Gemfile.lock", 22, "GHSA-xc9x-jj77-9p9j", "1.16.2"),  # nokogiri 1.15.4-x86_64-linux
        ("cargo/Cargo.lock", 70, "RUSTSEC-2021-0003", "1.6.1"),  # smallvec 1.6.0; 0.6.14 is the other fix
        ("composer/composer.lock", 23, "GHSA-cwmx-hcrq-mhc3", "7.4.3"),  # guzzle 7.4.2
    ]
    by_id = {f.rule_id: f for f in findings}
    smallvec = by_id["RUSTSEC-2021-0003"]
    assert (smallvec.resource, smallvec.aliases, smallvec.severity) == (
        "pkg:cargo/smallvec@1.6.0", ("CVE-2021-25900",), Severity.CRITICAL)
    assert smallvec.properties["fixed_versions"] == ["0.6.14", "1.6.1"]
    guzzle = by_id["GHSA-cwmx-hcrq-mhc3"]
    assert (guzzle.resource, guzzle.severity, guzzle.cwe) == (
        "pkg:composer/guzzlehttp/guzzle@7.4.2", Severity.HIGH, ("CWE-200",))
    nokogiri = by_id["GHSA-xc9x-jj77-9p9j"]
    assert (nokogiri.severity, nokogiri.severity_source) == (Severity.MEDIUM, "advisory")  # GHSA "MODERATE"
    assert scanner.version().endswith(", 3 advisories)")


# --- failing closed ------------------------------------------------------------------------------


def test_missing_database_is_an_error_not_a_pass(tmp_path: Path) -> None:
    scanner = scanner_for(tmp_path / "none")
    with pytest.raises(ScannerError, match="NOT checked: no advisory database"):
        scanner.scan(EXAMPLE, ["requirements.txt"], tmp_path / "work")
    with pytest.raises(ScannerError, match="NOT checked"):
        scanner.version()


def test_an_ecosystem_the_database_lacks_is_an_error_not_a_pass(fixture_db: Path, pypa_db: Path,
                                                               tmp_path: Path) -> None:
    with pytest.raises(ScannerError, match=r"NOT checked for Maven \(5 dependencies in maven/gradle.lockfile, "
                                           r"maven/pom.xml\); NuGet \(6 dependencies in nuget/App/App.csproj, .* and 1 "
                                           r"more files\); Packagist \(3 dependencies in composer/composer.lock\); "
                                           r"PyPI \(\d+ dependencies in pip/requirements.txt, "
                                           r"pip/requirements/base.txt, .* and \d+ more files\); "
                                           r"RubyGems \(5 dependencies in bundler/Gemfile.lock\); "
                                           r"crates.io \(7 dependencies in cargo/Cargo.lock\); purl:deb \(1 dependency "
                                           r"in sbom/image.cdx.json\): the advisory database .* holds no advisories "
                                           r"for Maven, NuGet, Packagist, PyPI, RubyGems, crates.io \(it holds: Go, "
                                           r"npm; .*\); guard has no version rules for purl:deb"):
        scanner_for(fixture_db).scan(LOCKS, tree(LOCKS), tmp_path / "work")
    lock = ["npm-v1/package-lock.json", "go/go.mod"]
    with pytest.raises(ScannerError, match=r"NOT checked for Go \(3 dependencies in go/go.mod\); npm \(4 "
                                           r"dependencies in npm-v1/package-lock.json\): .* \(it holds: PyPI; "
                                           r"import them: guard db import "
                                           r"https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip "
                                           r"https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip\)"):
        scanner_for(pypa_db).scan(LOCKS, lock, tmp_path / "work")
    assert not scanner_for(pypa_db, skip=("npm", "Go")).scan(LOCKS, lock, tmp_path / "work")
    # every lockfile of a skipped ecosystem: nothing to check, so the run is skipped (no check passes a control)
    none_left = run_one(scanner_for(pypa_db, skip=("npm", "Go")), LOCKS, lock, tmp_path / "run", Config())
    assert (none_left.status, none_left.reason, none_left.checks) == (Status.SKIPPED, "nothing to scan", ())
    # a skipped ecosystem is not checked even where the store could answer (the npm-v1 lodash advisories)
    found = scanner_for(fixture_db, skip=("npm",)).scan(LOCKS, lock, tmp_path / "work")
    assert {f.properties["ecosystem"] for f in found} == {"Go"}
    assert scanner_for(fixture_db, skip=("npm",)).select(lock) == ["go/go.mod"]


def test_stale_database_is_an_error(fixture_db: Path, tmp_path: Path) -> None:
    stale = tmp_path / "db"
    shutil.copytree(fixture_db, stale)
    with sqlite3.connect(stale / "osv.sqlite3") as conn:
        conn.execute("UPDATE meta SET value = '2020-01-01T00:00:00+00:00' WHERE key = 'imported_at'")
    with pytest.raises(ScannerError, match=r"imported \d+ days ago \(limit 30, advisories.max_age_days\)"):
        scanner_for(stale).scan(LOCKS, ["npm-v3/package-lock.json"], tmp_path / "work")
    assert scanner_for(stale, max_age_days=100000).version().startswith("guard-osv 1 (db imported 2020-01-01")


def test_unreadable_lockfile_is_an_error(fixture_db: Path, tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module m\nrequire broken\n")
    with pytest.raises(ScannerError, match=r"go\.mod:2: malformed require.*list it under `exclude`"):
        scanner_for(fixture_db).scan(tmp_path, ["go.mod"], tmp_path / "work")


def test_version_names_the_data(fixture_db: Path) -> None:
    assert scanner_for(fixture_db).version().endswith(", 7 advisories)")


def test_nuget_projects_and_maven_poms_against_published_advisories(nuget_maven_db: Path, tmp_path: Path) -> None:
    scanner = scanner_for(nuget_maven_db)
    files = ["nuget/App/App.csproj", "nuget/App/packages.lock.json", "nuget/Directory.Packages.props",
             "nuget/Legacy/packages.config", "maven/pom.xml", "maven/gradle.lockfile"]
    assert scanner.select(files) == files
    findings = list(scanner.scan(LOCKS, files, tmp_path / "work"))
    # spring-boot-starter-web takes its version from the parent POM: Maven resolves it, guard cannot check it
    (inherited,) = [f for f in findings if f.rule_id == "osv/unlocked-dependencies"]
    assert inherited.location.path == "maven/pom.xml" and "from a parent POM" in inherited.message
    seen = sorted((f.location.path, f.location.start_line, f.rule_id, f.properties["fix"]) for f in findings
                  if f is not inherited)
    assert seen == [
        ("maven/gradle.lockfile", 5, "GHSA-jfh8-c2jp-5v3q", "2.15.0"),  # log4j-core 2.14.1 (log4j-api is not affected)
        ("maven/pom.xml", 18, "GHSA-jfh8-c2jp-5v3q", "2.15.0"),  # ${log4j2.version}
        ("nuget/App/App.csproj", 7, "GHSA-5crp-9r3c-p9vr", "13.0.1"),
        ("nuget/App/packages.lock.json", 5, "GHSA-5crp-9r3c-p9vr", "13.0.1"),
    ]
    log4shell = next(f for f in findings if f.rule_id == "GHSA-jfh8-c2jp-5v3q")
    assert (log4shell.resource, log4shell.aliases, log4shell.severity) == (
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", ("CVE-2021-44228",), Severity.CRITICAL)


def test_a_manifest_no_lockfile_pins_is_a_finding_and_listed(fixture_db: Path, tmp_path: Path) -> None:
    """microservices-demo's adservice declares its Maven dependencies in build.gradle alone: they were
    not checked and the scan said nothing. Now each such manifest is a low finding (and in the evidence)."""
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "package.json").write_text('{"dependencies": {"lodash": "^4.17.0"}}\n')
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "package.json").write_text('{"dependencies": {"lodash": "4.17.20"}}\n')
    (tmp_path / "api" / "package-lock.json").write_text((LOCKS / "npm-v2" / "package-lock.json").read_text())
    (tmp_path / "adservice").mkdir()
    (tmp_path / "adservice" / "build.gradle").write_text("dependencies {\n  implementation 'io.grpc:grpc-core:1.0'\n}\n")
    files = tree(tmp_path)
    scanner = scanner_for(fixture_db, skip=("Maven",))
    assert scanner.select(files) == ["api/package-lock.json", "api/package.json", "web/package.json"]
    findings = list(scanner.scan(tmp_path, files, tmp_path / "work"))
    loose = [f for f in findings if f.rule_id == "osv/unlocked-dependencies"]
    assert [(f.location.path, f.severity, f.category) for f in loose] == [("web/package.json", Severity.LOW,
                                                                            Category.DEPENDENCY)]
    assert "not pinned by a lockfile" in loose[0].message
    assert any(f.rule_id.startswith("GHSA-") for f in findings)  # the locked one is checked as before
    evidence = json.loads((tmp_path / "work" / "osv-matches.json").read_text())
    assert evidence["unlocked_manifests"] == [{"path": "web/package.json", "ecosystem": "npm"}]
    only_gradle = scanner_for(fixture_db).select(["adservice/build.gradle"])
    assert only_gradle == ["adservice/build.gradle"]  # not skipped: a run with it alone reports it


def test_a_requirements_file_naming_releases_it_does_not_pin_is_a_finding(pypa_db: Path, tmp_path: Path) -> None:
    """dockersamples/example-voting-app's vote/requirements.txt reads `Flask`, `Redis`, `gunicorn`: pip
    picks their versions at install time, nothing was checked and the scan said nothing. The pinned
    lines of such a file are still checked."""
    (tmp_path / "vote").mkdir()
    (tmp_path / "vote" / "requirements.txt").write_text("Flask\nRedis\ngunicorn\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "requirements.txt").write_text("jinja2==2.10\nrequests>=2\n")
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "requirements.txt").write_text("jinja2==2.10\n")
    files = tree(tmp_path)
    findings = list(scanner_for(pypa_db).scan(tmp_path, files, tmp_path / "work"))
    loose = sorted(f.location.path for f in findings if f.rule_id == "osv/unlocked-dependencies")
    assert loose == ["api/requirements.txt", "vote/requirements.txt"]
    assert all("pip chooses at install time" in f.message for f in findings if f.rule_id == "osv/unlocked-dependencies")
    assert {f.location.path for f in findings if f.rule_id.startswith(("GHSA-", "PYSEC-"))} == {
        "api/requirements.txt", "worker/requirements.txt"}  # jinja2 2.10 is still matched in both
