"""Scanner modules without running the tools: parsing real outputs captured here, mapping tables, selection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from guard.config import Config, SemgrepSettings, ToolSettings
from guard.model import Category, Severity
from guard.scanners.actionlint import ActionlintScanner
from guard.scanners.base import Invocation, ScannerError
from guard.scanners.checkov import CheckovScanner, sniffed_frameworks
from guard.scanners.data.checkov_checks import CHECKS
from guard.scanners.data.iac import classify, keyword_cwe
from guard.scanners.detect_secrets import DetectSecretsScanner
from guard.scanners.hadolint import HadolintScanner
from guard.scanners.semgrep import SemgrepScanner, original_id
from guard.scanners.trivy import TrivyScanner, scan_root, scanners_for
from guard.scanners.zizmor import ZizmorScanner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sarif"


def invocation(tmp: Path, files: tuple[str, ...], returncode: int = 0, stdout: str = "", name: str | None = None,
               content: str = "") -> Invocation:
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    (work / "stdout").write_text(stdout)
    (work / "stderr").write_text("")
    if name:
        (work / name).write_text(content)
    return Invocation(tmp, work, files, returncode, work / "stdout", work / "stderr")


# --- checkov -------------------------------------------------------------------------------

def test_checkov_skip_comment_becomes_inline_waiver_and_severity_comes_from_guard(tmp_path: Path):
    (tmp_path / "main.tf").write_text("resource \"aws_s3_bucket\" \"b\" {}\n")
    text = (FIXTURES / "checkov-skip.json").read_text().replace("/SCANROOT", str(tmp_path / "work" / "tree"))
    run = invocation(tmp_path, ("main.tf",), returncode=1, name="results_json.json", content=text)
    findings = list(CheckovScanner(Config()).parse(run))
    skipped = [f for f in findings if "inline_waiver" in f.properties]
    assert [f.rule_id for f in skipped] == ["CKV_AWS_18"]
    assert "central account" in skipped[0].properties["inline_waiver"]
    public = next(f for f in findings if f.rule_id == "CKV2_AWS_6")
    assert public.severity is Severity.HIGH and public.cwe == ("CWE-284",) and public.severity_source == "guard-override"
    assert public.resource == "aws_s3_bucket.b" and public.location.path == "main.tf"
    assert all(f.category is Category.IAC for f in findings)


@pytest.mark.parametrize("content,code", [("{{{", 1), ('{"unexpected": true}', 1), ('{"results": {}}', 2)])
def test_checkov_garbage_or_bad_exit_is_an_error(tmp_path: Path, content: str, code: int):
    run = invocation(tmp_path, ("main.tf",), returncode=code, name="results_json.json", content=content)
    with pytest.raises(ScannerError):
        list(CheckovScanner(Config()).parse(run))


def test_checkov_frameworks_follow_the_tree(tmp_path: Path):
    (tmp_path / "k8s.yaml").write_text("apiVersion: v1\nkind: Pod\n")
    (tmp_path / "stack.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
    (tmp_path / "other.yaml").write_text("a: 1\n")
    assert sniffed_frameworks(tmp_path, ["main.tf", "Dockerfile"]) == ["terraform", "dockerfile"]
    assert sorted(sniffed_frameworks(tmp_path, ["k8s.yaml", "stack.yaml", "other.yaml"])) == ["cloudformation", "kubernetes"]
    assert sniffed_frameworks(tmp_path, ["other.yaml"]) == []
    argv = CheckovScanner(Config()).command("checkov", tmp_path, ["other.yaml"], tmp_path / "work")
    assert argv[argv.index("--framework") + 1] == "kubernetes"  # nothing recognised: cheapest framework
    assert "github_actions" in sniffed_frameworks(tmp_path, [".github/workflows/ci.yml"])
    checks = CheckovScanner(Config()).checks(["Dockerfile"])
    assert checks and all(c.id in CHECKS for c in checks) and {c.id for c in checks} >= {"CKV_DOCKER_3"}
    assert not any(c.id.startswith("CKV_AWS") for c in checks)


def test_iac_table_layers():
    assert classify("CKV_AWS_24", CHECKS["CKV_AWS_24"][0], CHECKS["CKV_AWS_24"][1])[2] == "guard-override"
    sev, cwe, source = classify("CKV_AWS_19", "Ensure all data stored in the S3 bucket is securely encrypted at rest",
                                "ENCRYPTION")
    assert (cwe, source) == (("CWE-311",), "guard-keyword")
    assert classify("X", "Something unusual", "BACKUP_AND_RECOVERY") == (Severity.LOW, (), "guard-category")
    assert keyword_cwe("S3 encryption should use Customer Managed Keys")[1] == ("CWE-311",)
    assert keyword_cwe("Security groups should not allow unrestricted ingress to SSH")[1] == ("CWE-284",)
    assert len(CHECKS) > 1000


# --- semgrep -------------------------------------------------------------------------------

def test_semgrep_nosemgrep_is_waived_and_metadata_applied(tmp_path: Path):
    shutil.copy(FIXTURES / "semgrep-nosemgrep.py", tmp_path / "a.py")
    run = invocation(tmp_path, ("a.py",), returncode=0, stdout=(FIXTURES / "semgrep-nosemgrep.sarif").read_text())
    findings = list(SemgrepScanner(Config()).parse(run))
    assert [f.location.start_line for f in findings] == [3, 4]
    assert "nosemgrep" in findings[0].properties["inline_waiver"] and "inline_waiver" not in findings[1].properties
    assert all(f.rule_id == "guard.python.sql-injection" and f.cwe == ("CWE-89",) for f in findings)
    assert findings[0].severity is Severity.HIGH and findings[0].severity_source == "rule-metadata"


def test_semgrep_maps_path_prefixed_ids_and_selects_by_rule_language(tmp_path: Path):
    scanner = SemgrepScanner(Config())
    _, rules = scanner.pack()
    assert original_id("work.main.policies.semgrep.python.guard.python.sql-injection", rules) == "guard.python.sql-injection"
    assert scanner.select(["a.py", "b.txt", "main.tf", "x.js"])[:1] == ["a.py"]
    assert "b.txt" not in scanner.select(["a.py", "b.txt"])
    one_of_each = ["a.py", "main.tf", "x.js", "main.go", "Dockerfile", "k8s.yaml", "App.java"]
    assert {r.id for r in scanner.checks(one_of_each)} == set(rules) and all(r.cwe for r in scanner.checks(one_of_each))
    assert {r.id for r in scanner.checks(["a.py"])} == {i for i, r in rules.items() if "python" in r.languages}


def test_semgrep_user_rules_are_added_and_missing_ones_fail(tmp_path: Path):
    rules = tmp_path / "mine.yaml"
    rules.write_text("rules:\n  - id: my.rule\n    message: no prints\n    severity: INFO\n    languages: [python]\n"
                     "    pattern: print(...)\n")
    config = Config(semgrep=SemgrepSettings(rules=[str(rules)], builtin_rules=False))
    _, loaded = SemgrepScanner(config).pack()
    assert set(loaded) == {"my.rule"} and loaded["my.rule"].severity is Severity.LOW
    with pytest.raises(ScannerError, match="not found"):
        SemgrepScanner(Config(semgrep=SemgrepSettings(rules=[str(tmp_path / "nope")]))).pack()


# --- trivy ---------------------------------------------------------------------------------

def test_trivy_keeps_only_selected_files_and_classifies(tmp_path: Path):
    report = {"SchemaVersion": 2, "Results": [
        {"Target": "Dockerfile", "Class": "config", "Type": "dockerfile", "Misconfigurations": [
            {"ID": "DS-0002", "Title": "Image user should not be 'root'", "Severity": "HIGH", "Status": "FAIL",
             "CauseMetadata": {}},
            {"ID": "DS-0001", "Title": "':latest' tag used", "Severity": "MEDIUM", "Status": "PASS",
             "CauseMetadata": {"StartLine": 1, "EndLine": 1}}]},
        {"Target": "main.tf", "Class": "config", "Type": "terraform", "Misconfigurations": [
            {"ID": "AWS-0107", "Title": "Security groups should not allow unrestricted ingress to SSH",
             "Severity": "HIGH", "Status": "FAIL", "CauseMetadata": {"Resource": "aws_security_group.a",
                                                                     "StartLine": 3, "EndLine": 3}}]},
        {"Target": "cache/x.pyc", "Class": "secret", "Secrets": [{"RuleID": "github-pat", "Severity": "CRITICAL"}]},
        {"Target": "settings.py", "Class": "secret", "Secrets": [
            {"RuleID": "github-pat", "Title": "GitHub Personal Access Token", "Severity": "CRITICAL",
             "StartLine": 2, "EndLine": 2, "Match": 'TOKEN = "****"'}]}]}
    run = invocation(tmp_path, ("Dockerfile", "main.tf", "settings.py"), name="trivy.json", content=json.dumps(report))
    findings = list(TrivyScanner(Config()).parse(run))
    assert [f.rule_id for f in findings] == ["DS-0002", "AWS-0107", "github-pat"]
    root_user, ssh, token = findings
    assert root_user.category is Category.CONTAINER and root_user.location.start_line == 1  # file level
    assert ssh.category is Category.IAC and ssh.resource == "aws_security_group.a" and ssh.cwe == ("CWE-284",)
    assert token.category is Category.SECRET and token.severity is Severity.CRITICAL and token.cwe == ("CWE-798",)


def test_trivy_rejects_other_json_and_bad_exit(tmp_path: Path):
    with pytest.raises(ScannerError, match="SchemaVersion"):
        list(TrivyScanner(Config()).parse(invocation(tmp_path, (), name="trivy.json", content="[]")))
    with pytest.raises(ScannerError, match="exited 1"):
        list(TrivyScanner(Config()).parse(invocation(tmp_path, (), 1, name="trivy.json", content='{"SchemaVersion": 2}')))


# --- hadolint, zizmor, actionlint, detect-secrets -----------------------------------------

def test_hadolint_sarif_gets_rule_metadata(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text("FROM python:latest\n")
    run = invocation(tmp_path, ("Dockerfile",), stdout=(FIXTURES / "hadolint-insecure-shop.sarif").read_text())
    findings = {f.rule_id: f for f in HadolintScanner(Config()).parse(run)}
    latest = findings["DL3007"]
    assert latest.rule.short_description.startswith("DL3007: Using latest")
    assert latest.rule.help_uri.endswith("/DL3007") and latest.cwe == ("CWE-1357",)
    assert latest.severity_source == "guard-table"


def test_zizmor_paths_are_rebased_to_the_scanned_files(tmp_path: Path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    run = invocation(tmp_path, (".github/workflows/ci.yml",),
                     stdout=(FIXTURES / "zizmor-insecure-shop.sarif").read_text())
    run.stderr.write_text(" INFO audit: zizmor: \N{RAINBOW} completed .github/workflows/ci.yml\n")
    findings = list(ZizmorScanner(Config()).parse(run))
    assert len(findings) == 9 and {f.path for f in findings} == {".github/workflows/ci.yml"}
    injection = next(f for f in findings if f.rule_id == "zizmor/template-injection")
    assert injection.severity is Severity.HIGH and injection.cwe == ("CWE-94",) and injection.category is Category.CI


def test_actionlint_untrusted_input_is_script_injection(tmp_path: Path):
    items = [{"message": '"github.event.issue.title" is potentially untrusted. avoid using it directly',
              "filepath": ".github/workflows/ci.yml", "line": 40, "column": 9, "kind": "expression"},
             {"message": "unknown permission scope", "filepath": ".github/workflows/ci.yml", "line": 3,
              "column": 1, "kind": "permissions"}]
    run = invocation(tmp_path, (".github/workflows/ci.yml",), 1, stdout=json.dumps(items))
    first, second = ActionlintScanner(Config()).parse(run)
    assert first.rule_id == "actionlint/untrusted-input" and first.severity is Severity.HIGH and first.cwe == ("CWE-94",)
    assert second.rule_id == "actionlint/permissions" and second.location.start_line == 3
    with pytest.raises(ScannerError):
        list(ActionlintScanner(Config()).parse(invocation(tmp_path, (), 1, stdout="[]")))
    with pytest.raises(ScannerError):
        list(ActionlintScanner(Config()).parse(invocation(tmp_path, (), 0, stdout='{"a": 1}')))


def test_detect_secrets_reports_hashes_only(tmp_path: Path):
    doc = {"version": "1.5.0", "results": {"settings.py": [
        {"type": "AWS Access Key", "filename": "settings.py", "hashed_secret": "2591", "line_number": 7},
        {"type": "Secret Keyword", "filename": "settings.py", "hashed_secret": "e7a0", "line_number": 15}]}}
    findings = list(DetectSecretsScanner(Config()).parse(invocation(tmp_path, ("settings.py",), stdout=json.dumps(doc))))
    assert [(f.rule_id, f.severity) for f in findings] == [("aws-access-key", Severity.CRITICAL),
                                                           ("secret-keyword", Severity.MEDIUM)]
    assert all(f.category is Category.SECRET and f.cwe == ("CWE-798",) for f in findings)
    with pytest.raises(ScannerError):
        list(DetectSecretsScanner(Config()).parse(invocation(tmp_path, (), stdout='{"version": "1"}')))


def test_trivy_image_vulnerabilities_from_trivy_sarif(tmp_path: Path, monkeypatch):
    from guard.scanners.trivy import TrivyImageScanner

    db = tmp_path / "cache" / "db" / "trivy.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    monkeypatch.setenv("TRIVY_CACHE_DIR", str(tmp_path / "cache"))
    sample = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "sarif-samples" / "trivy-image-alpine310.sarif"
    run = invocation(tmp_path, ("images/alpine.image.tar",), name="vuln-1.sarif", content=sample.read_text())
    (run.workdir / "sbom-1.cdx.json").write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}')
    findings = list(TrivyImageScanner(Config()).parse(run))
    assert len(findings) == 4 and all(f.tool == "trivy-image" and f.category is Category.CONTAINER for f in findings)
    first = findings[0]
    assert first.rule_id == "CVE-2019-1549" and first.aliases == ("CVE-2019-1549",)
    assert first.location.path == "images/alpine.image.tar" and first.resource == "images/alpine.image.tar:libcrypto1.1@1.1.1c-r0"
    (run.workdir / "sbom-1.cdx.json").write_text('{"bomFormat": "SPDX"}')
    with pytest.raises(ScannerError, match="CycloneDX"):
        list(TrivyImageScanner(Config()).parse(run))


def test_trivy_loads_its_misconfiguration_checks_only_for_file_types_they_cover(tmp_path):
    assert scanners_for(["app/handlers.py", "README.md"]) == ["secret"]
    for config_file in ("main.tf", "deploy/k8s.yaml", "Dockerfile", "stack.template", "x.tf.json"):
        assert scanners_for(["app.py", config_file]) == ["misconfig", "secret"]
    argv = TrivyScanner(Config()).command("trivy", tmp_path, ["app/h.py"], tmp_path)
    assert argv[argv.index("--scanners") + 1] == "secret" and argv[-1] == "app/h.py"
    assert scan_root(["terraform/aws/ec2.tf", "terraform/aws/s3.tf"]) == "terraform/aws"
    assert scan_root(["terraform/aws/ec2.tf", "terraform/azure/sql.tf"]) == "terraform"
    assert scan_root(["main.tf", "app/x.py"]) == scan_root(["a/x.py", "b/y.py"]) == "."
    assert scan_root(["terraform/main.tf"]) == "terraform"  # a module keeps its folder


def test_trivy_reads_a_selected_templates_helm_chart_as_context(tmp_path):
    """trivy renders a chart's templates with its values: the chart's files are part of the result key."""
    for rel in ("charts/web/Chart.yaml", "charts/web/values.yaml", "charts/web/templates/deploy.yaml",
                "charts/web/charts/db/Chart.yaml", "charts/web/notes.txt", "k8s/plain.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x: 1\n")
    trivy = TrivyScanner(Config(exclude=["charts/web/notes.txt"]))
    assert trivy.context(tmp_path, ["charts/web/templates/deploy.yaml"]) == [
        "charts/web/Chart.yaml", "charts/web/charts/db/Chart.yaml", "charts/web/values.yaml"]
    assert trivy.context(tmp_path, ["k8s/plain.yaml"]) == []


@pytest.mark.parametrize("scanner, option, own", [
    (HadolintScanner, "--config", ["-c", "mine.yaml"]),
    (ActionlintScanner, "-config-file", ["-config-file=mine.yaml"]),
    (ZizmorScanner, "--no-config", ["--config", "mine.yml"]),
    (TrivyScanner, "--config", ["--config", "mine.yaml"]),
])
def test_a_tool_config_named_in_the_guard_config_replaces_the_empty_one(tmp_path, scanner, option, own):
    """guard runs each tool with an empty config (not the repository's), unless the guard config's
    own tool args name one: the tools refuse the option twice."""
    plain = scanner(Config()).command("tool", tmp_path, ["Dockerfile"], tmp_path)
    assert option in plain
    name = scanner.tool
    chosen = scanner(Config(tools={name: ToolSettings(args=own)})).command("tool", tmp_path, ["Dockerfile"], tmp_path)
    assert option not in chosen[:chosen.index(own[0])] and chosen.count(own[0]) == 1


def test_lay_out_places_links_or_regular_files_at_repository_paths(tmp_path: Path) -> None:
    """checkov's folder holds symbolic links; trivy's regular files (it skips links): hard links on
    one file system, so nothing is copied, and a symbolic link in the tree is placed as its target."""
    from guard.scanners.base import lay_out

    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "main.tf").write_text("a = 1\n")
    (root / "infra" / "alias.tf").symlink_to("main.tf")
    lay_out(root, ["infra/main.tf"], tmp_path / "links")
    assert (tmp_path / "links" / "infra" / "main.tf").is_symlink()
    lay_out(root, ["infra/main.tf", "infra/alias.tf"], tmp_path / "files", copy=True)
    for rel in ("infra/main.tf", "infra/alias.tf"):
        placed = tmp_path / "files" / rel
        assert not placed.is_symlink() and placed.read_text() == "a = 1\n"
        assert placed.stat().st_ino == (root / "infra" / "main.tf").stat().st_ino  # a hard link: no copy


def test_trivy_image_results_are_keyed_by_the_vulnerability_database_they_came_from(tmp_path, monkeypatch):
    """A cached image result outlived `trivy image --download-db-only`: newly published CVEs went unreported."""
    from guard.cache import key
    from guard.scanners.trivy import TrivyImageScanner

    monkeypatch.setenv("TRIVY_CACHE_DIR", str(tmp_path / "trivy"))
    (tmp_path / "trivy" / "db").mkdir(parents=True)
    meta = tmp_path / "trivy" / "db" / "metadata.json"
    meta.write_text('{"Version":2,"UpdatedAt":"2026-11-01T00:00:00Z"}')
    scanner = TrivyImageScanner(Config())
    assert scanner.file_local and scanner.cache_inputs() == [meta]

    def keyed() -> str:
        return key(scanner="trivy-image", version="0.76.0", executable="trivy", argv=[], env={}, target=tmp_path,
                   files=[], extra_inputs=scanner.cache_inputs())

    before = keyed()
    meta.write_text('{"Version":2,"UpdatedAt":"2026-11-28T00:00:00Z"}')
    assert keyed() != before
