"""A semgrep rule with `paths:` counts as a check that ran only where semgrep surely ran it: measured
against the real semgrep, as guard runs it (explicit files, in a git repository), guard never counts a
rule on a file semgrep left out; a control is never passed by a rule its paths kept off the change."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from guard.config import Config, SemgrepSettings
from guard.scanners.runner import run_one
from guard.scanners.semgrep import SemgrepScanner
from guard.scanners.semgrep_paths import RulePaths
from guard.tools.envs import resolve
from tests.conftest import write_files

TOOL = resolve("semgrep")
FILES = ["app.py", "src/app.py", "src/pay/x.py", "src/pay/deep/y.py", "tests/test_a.py", "a/tests/b.py",
         "src/test_z.py", "conftest.py", "vendor/v.py", "lib/vendor/w.py", "gen/g.py", "a/gen/h.py", "docs/d.py",
         "src/docs.py", "dir.py", "x/dir/z.py"]
PATHS = {
    "ex-builtin": {"exclude": ["tests/", "test/", "test_*.py", "*_test.py", "conftest.py"]},
    "ex-anchored": {"exclude": ["/vendor"]}, "ex-deep": {"exclude": ["**/gen/*.py"]}, "ex-name": {"exclude": ["docs"]},
    "in-dir": {"include": ["src/"]}, "in-star": {"include": ["src/**"]}, "in-ext": {"include": ["*.py"]},
    "in-name": {"include": ["app.py"]}, "in-anchored": {"include": ["/src/pay"]}, "in-glob": {"include": ["src/*.py"]},
    "in-folder-only": {"include": ["dir/"]}, "in-and-ex": {"include": ["src/"], "exclude": ["test_*.py"]},
}
EXACT = {"ex-builtin", "ex-deep", "ex-name", "in-dir", "in-star", "in-ext", "in-name", "in-anchored", "in-folder-only"}


def rules_file(path: Path) -> Path:
    rules = [{"id": rid, "languages": ["python"], "severity": "WARNING", "message": rid, "pattern": "eval(...)",
              "paths": paths} for rid, paths in PATHS.items()]
    path.write_text(yaml.safe_dump({"rules": rules}))
    return path


@pytest.mark.skipif(TOOL is None, reason="semgrep not installed (guard tools install semgrep)")
def test_guard_counts_a_rule_only_on_files_semgrep_scans_with_it(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", dict.fromkeys(FILES, "eval(x)\n"))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    rules = rules_file(tmp_path / "rules.yaml")
    out = subprocess.run([TOOL.executable, "scan", "--experimental", "--metrics=off", "--disable-version-check",
                          "--quiet", "--config", str(rules), "--json", "--", *FILES], cwd=repo, capture_output=True,
                         text=True, check=True, env={**os.environ, **SemgrepScanner(Config()).env()})
    scanned: dict[str, set[str]] = {rid: set() for rid in PATHS}
    for result in json.loads(out.stdout)["results"]:
        scanned[result["check_id"].rsplit(".", 1)[-1]].add(result["path"])
    for rid, paths in PATHS.items():
        counted = {f for f in FILES if RulePaths.of(paths).surely_scans(f)}
        assert counted <= scanned[rid], rid  # never a file semgrep left out
        if rid in EXACT:
            assert counted == scanned[rid], rid
    assert scanned["in-dir"] and not scanned["in-glob"] - {"src/app.py", "src/docs.py", "src/test_z.py"}


def test_a_runs_checks_leave_out_a_rule_its_paths_keep_off_every_file(tmp_path: Path) -> None:
    rules = rules_file(tmp_path / "rules.yaml")
    scanner = SemgrepScanner(Config(semgrep=SemgrepSettings(rules=[str(rules)], builtin_rules=False)))
    on_docs = {r.id for r in scanner.checks(["docs/d.py"])}
    assert "in-dir" not in on_docs and "ex-name" not in on_docs and "in-glob" not in on_docs
    assert {"in-ext", "ex-builtin"} <= on_docs
    on_src = {r.id for r in scanner.checks(["src/app.py", "tests/test_a.py"])}
    assert {"in-dir", "in-star", "in-and-ex", "ex-builtin"} <= on_src and "in-anchored" not in on_src
    assert "ex-builtin" not in {r.id for r in scanner.checks(["tests/test_a.py", "conftest.py"])}


@pytest.mark.skipif(TOOL is None, reason="semgrep not installed (guard tools install semgrep)")
def test_outside_a_git_repository_a_rules_folder_patterns_still_apply(tmp_path: Path) -> None:
    """semgrep takes each given file's own folder as the project root outside a git work tree, where a
    rule's `include: [src/]` matched nothing: guard names the target as the root."""
    root = tmp_path / "plain"  # no .git above it: pytest's temporary folders are in no repository
    write_files(root, dict.fromkeys(["src/app.py", "docs/d.py", "tests/test_a.py"], "eval(x)\n"))
    assert not any((folder / ".git").exists() for folder in (root, *root.parents))
    cfg = Config(semgrep=SemgrepSettings(rules=[str(rules_file(tmp_path / "rules.yaml"))], builtin_rules=False))
    run = run_one(SemgrepScanner(cfg), root, ["docs/d.py", "src/app.py", "tests/test_a.py"], tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    found = {(f.rule_id, f.location.path) for f in run.findings}
    assert ("in-dir", "src/app.py") in found and ("in-dir", "docs/d.py") not in found
    assert ("ex-builtin", "tests/test_a.py") not in found and ("ex-builtin", "docs/d.py") in found


@pytest.mark.skipif(TOOL is None, reason="semgrep not installed (guard tools install semgrep)")
def test_in_a_folder_of_a_git_repository_a_rules_paths_are_read_from_the_target(tmp_path: Path) -> None:
    """semgrep reads `paths:` from the git work tree's top by default: for a target below it, guard's reading
    (relative to the target) counted `include: [/src/pay]` on src/pay/x.py, where semgrep never ran it."""
    repo = write_files(tmp_path / "repo", dict.fromkeys(["svc/src/pay/x.py", "svc/docs/d.py"], "eval(x)\n"))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    cfg = Config(semgrep=SemgrepSettings(rules=[str(rules_file(tmp_path / "rules.yaml"))], builtin_rules=False))
    scanner = SemgrepScanner(cfg)
    files = ["docs/d.py", "src/pay/x.py"]
    run = run_one(scanner, repo / "svc", files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    found = {(f.rule_id, f.location.path) for f in run.findings if f.location is not None}
    for rid, paths in PATHS.items():
        counted = {f for f in files if RulePaths.of(paths).surely_scans(f)}
        assert counted <= {path for r, path in found if r == rid}, rid
    assert ("in-anchored", "src/pay/x.py") in found and ("in-anchored", "docs/d.py") not in found


@pytest.mark.skipif(TOOL is None, reason="semgrep not installed (guard tools install semgrep)")
@pytest.mark.parametrize("in_git", [True, False])
def test_a_file_scanned_under_another_name_keeps_its_folder_for_paths(tmp_path: Path, in_git: bool) -> None:
    """`Dockerfile.dev` and `*.pyw` are scanned under names semgrep reads; their folder patterns still apply
    (a copy outside the target had its own folder as semgrep's project root)."""
    repo = write_files(tmp_path / "repo", {"docker/Dockerfile.dev": "FROM alpine\nUSER root\n",
                                           "Dockerfile.prod": "FROM alpine\nUSER root\n",
                                           "src/tool.pyw": "eval(x)\n", "src/app.py": "eval(x)\n"})
    if in_git:
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    rules = [{"id": "root-in-docker", "languages": ["dockerfile"], "severity": "WARNING", "message": "m",
              "pattern": "USER root", "paths": {"include": ["docker/"]}},
             {"id": "eval-in-src", "languages": ["python"], "severity": "WARNING", "message": "m",
              "pattern": "eval(...)", "paths": {"include": ["/src"]}}]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"rules": rules}))
    cfg = Config(semgrep=SemgrepSettings(rules=[str(tmp_path / "rules.yaml")], builtin_rules=False))
    files = ["Dockerfile.prod", "docker/Dockerfile.dev", "src/app.py", "src/tool.pyw"]
    run = run_one(SemgrepScanner(cfg), repo, files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    found = {(f.rule_id, f.location.path) for f in run.findings if f.location is not None}
    assert found == {("root-in-docker", "docker/Dockerfile.dev"), ("eval-in-src", "src/app.py"),
                     ("eval-in-src", "src/tool.pyw")}
