"""What semgrep (real tool) leaves out: minified files (bundles; semgrep itself ignores files named
*.min.js), since guard's rules are written for source people edit (NodeGoat's vendored raphael-min.js
gave four findings on its one line); and test code, for the hard-coded credential rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.semgrep import SemgrepScanner
from guard.tools.envs import resolve
from tests.conftest import scanned

SOURCE = "function calc(req, res) {\n  return res.send(String(eval(req.query.expr)));\n}\n"
BUNDLE = ";".join(f"var a{i}=function(q){{return eval(q.x{i})}}" for i in range(60)) + "\n"  # one long line


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
@pytest.mark.parametrize("args, found", [(None, {"src/calc.js"}),
                                         (["--no-exclude-minified-files"], {"src/calc.js", "vendor/bundle.js"})])
def test_minified_files_are_skipped_unless_asked_for(tmp_path: Path, args: list[str] | None, found: set[str]) -> None:
    if args:
        (tmp_path / ".guard.yaml").write_text(f"tools:\n  semgrep: {{args: {args}}}\n")
    run = scanned(SemgrepScanner, tmp_path, {"src/calc.js": SOURCE, "vendor/bundle.js": BUNDLE})
    assert {f.location.path for f in run.findings} == found


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
def test_hard_coded_credentials_in_test_code_are_test_data(tmp_path: Path) -> None:
    """pypi/warehouse: 137 of 148 hard-coded-credential findings were test fixtures' passwords."""
    line = 'DB_PASSWORD = "Sup3rS3cret!"\n'
    files = {"app/settings.py": line, "tests/test_login.py": line, "app/test_views.py": line, "conftest.py": line,
             "app/views_test.py": line}
    run = scanned(SemgrepScanner, tmp_path, files)
    assert {f.location.path for f in run.findings if f.rule.id == "guard.python.hardcoded-credential"} == {
        "app/settings.py"}


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
def test_dockerfiles_semgrep_would_not_read_by_name_are_scanned_as_copies(tmp_path: Path) -> None:
    """semgrep takes a file for a Dockerfile by its name, even one named on its command line:
    `Dockerfile.dev` and `Containerfile` were reported scanned and never read."""
    dockerfile = "FROM python:3.12\n\nRUN curl -fsSL https://get.example.com/i.sh | sh\n"
    names = ["Dockerfile", "build.dockerfile", "app/Dockerfile.dev", "Containerfile"]
    run = scanned(SemgrepScanner, tmp_path, dict.fromkeys(names, dockerfile))
    found = {(f.location.path, f.location.start_line) for f in run.findings if f.rule_id.endswith("curl-pipe-shell")}
    assert found == {(name, 3) for name in names}
    assert all("renamed/" not in f.location.path for f in run.findings)  # never the copy


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
def test_python_and_typescript_files_semgrep_would_not_read_by_name_are_scanned_as_copies(tmp_path: Path) -> None:
    """(`*.pyw` Python, `*.mts`/`*.cts` TypeScript modules: reported scanned by semgrep, never read)"""
    python = "import os\n\nos.system(input())\n"
    typescript = "export function calc(req: any, res: any) {\n  return res.send(String(eval(req.query.expr)));\n}\n"
    run = scanned(SemgrepScanner, tmp_path, {"tool.py": python, "tool.pyw": python, "calc.ts": typescript,
                                             "calc.mts": typescript, "calc.cts": typescript})
    assert {f.location.path for f in run.findings} == {"tool.py", "tool.pyw", "calc.ts", "calc.mts", "calc.cts"}


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
@pytest.mark.parametrize("args, found", [(None, {("big.py", "semgrep/file-not-checked")}),
                                         (["--max-target-bytes=0", "--timeout=0"],
                                          {("big.py", "guard.python.os-command-injection")})])
def test_a_file_over_semgreps_size_limit_is_reported_not_checked(tmp_path: Path, args: list[str] | None,
                                                                  found: set[tuple[str, str]]) -> None:
    """semgrep skips files over --max-target-bytes (1 MB) without a word in its SARIF. (Checked, the 1.2 MB file
    takes a rule seconds: under load over semgrep's 5 s per rule, which makes it a file not checked too.)"""
    if args:
        (tmp_path / ".guard.yaml").write_text(f"tools:\n  semgrep: {{args: {args}}}\n")
    big = "import os\n\nos.system(input())\n" + "x = 1\n" * 200_000
    run = scanned(SemgrepScanner, tmp_path, {"big.py": big, "small.py": "x = 1\n"})
    assert {(f.location.path, f.rule_id) for f in run.findings} == found


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
def test_a_file_semgrep_cannot_parse_is_reported_not_checked(tmp_path: Path) -> None:
    """semgrep names a file it cannot parse only in its run's notifications, with no result for it; a Helm
    chart's templates (Go templates, which trivy checks rendered) are left to the chart's scanners."""
    run = scanned(SemgrepScanner, tmp_path, {
        "deploy/broken.yaml": "apiVersion: v1\nkind: Pod\nspec: [1, 2\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
        "chart/templates/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
        "app/recovered.py": "print 'py2'\nimport os\nos.system(input())\n"})
    found = {(f.location.path, f.rule_id, f.location.start_line) for f in run.findings}
    assert found == {("deploy/broken.yaml", "semgrep/file-not-checked", 3),
                     ("app/recovered.py", "guard.python.os-command-injection", 3)}
    gap = next(f for f in run.findings if f.rule_id == "semgrep/file-not-checked")
    assert "could not parse deploy/broken.yaml (Other syntax error at line 3)" in gap.message
    assert gap.severity.value == "low"


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
def test_rules_that_run_out_of_time_on_a_file_are_reported(tmp_path: Path) -> None:
    """A rule stopped by semgrep's per-file `--timeout` reports nothing for the file: the command injection
    on line 2 went unreported without a word."""
    (tmp_path / ".guard.yaml").write_text("tools:\n  semgrep: {args: [--timeout, '0.01']}\n")
    busy = "import os\nos.system(input())\n" + "".join(f"x{i} = f(a{i}, b{i})\n" for i in range(10000))
    run = scanned(SemgrepScanner, tmp_path, {"busy.py": busy, "small.py": "import os\nos.system(input())\n"})
    assert {f.location.path for f in run.findings if f.rule_id == "guard.python.os-command-injection"} == {"small.py"}
    gaps = [f for f in run.findings if f.rule_id == "semgrep/file-not-checked"]
    assert [g.location.path for g in gaps] == ["busy.py"]
    assert "timeout" in gaps[0].message and "guard.python.os-command-injection" in gaps[0].message


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
def test_sound_test_practice_is_waived_in_test_code_only(tmp_path: Path) -> None:
    """TLS checks off against a local test server (gin: four in its tests) are waived with the rule's
    `guard-in-tests` reason in test code, and still gate in code that ships."""
    go = 'package web\n\nimport "crypto/tls"\n\nvar config = &tls.Config{InsecureSkipVerify: true}\n'
    run = scanned(SemgrepScanner, tmp_path, {"web/client.go": go, "web/client_test.go": go})
    skip = {f.location.path: f.properties.get("inline_waiver") for f in run.findings
            if f.rule_id == "guard.go.tls-insecure-skip-verify"}
    assert skip["web/client.go"] is None
    assert skip["web/client_test.go"].startswith("guard: test code reaching a local test server")
