"""guard's own semgrep rule pack (policies/semgrep): metadata contract, rule tests, example coverage.

The metadata tests are pure Python. The rest run the pinned semgrep (env GUARD_SEMGREP, else the
environment `guard tools install semgrep` created, else semgrep on PATH) fully offline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE, ROOT

PACK = ROOT / "policies" / "semgrep"
SEMGREP_ENV = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
OFFLINE = ("--metrics=off", "--disable-version-check")
ANNOTATION = re.compile(r"^\s*(?:#|//)\s*(ruleid|ok):\s*(.+?)\s*$")
GUARD_SEVERITIES = {"critical", "high", "medium", "low"}
CWE = re.compile(r"^CWE-\d+: \S.*")


def rule_files() -> list[Path]:
    return sorted(p for p in PACK.rglob("*.yaml") if ".test." not in p.name)


def rules() -> list[tuple[Path, dict]]:
    return [(path, rule) for path in rule_files() for rule in yaml.safe_load(path.read_text())["rules"]]


def fixtures(rule_file: Path) -> list[Path]:
    """Test targets semgrep pairs with a rule file: same directory and base name, other suffix."""
    stem = rule_file.name.removesuffix(".yaml")
    return [p for p in rule_file.parent.iterdir() if p != rule_file and p.name.startswith(stem + ".")]


def annotations(fixture: Path) -> dict[tuple[str, str], list[int]]:
    """(kind, rule id) -> 1-based lines the annotation applies to (the next non-annotation line)."""
    lines = fixture.read_text().splitlines()
    out: dict[tuple[str, str], list[int]] = {}
    for index, line in enumerate(lines):
        match = ANNOTATION.match(line)
        if not match:
            continue
        target = index + 1
        while target < len(lines) and ANNOTATION.match(lines[target]):
            target += 1
        for rule_id in (r.strip() for r in match.group(2).split(",")):
            out.setdefault((match.group(1), rule_id), []).append(target + 1)
    return out


def semgrep_executable() -> str | None:
    if os.environ.get("GUARD_SEMGREP"):
        return os.environ["GUARD_SEMGREP"]
    try:
        from guard.tools.envs import resolve
    except ImportError:
        return None
    found = resolve("semgrep")
    return found.executable if found else None


# --- metadata contract (pure Python) ---------------------------------------------------------------

def test_pack_has_at_least_forty_rules_with_unique_guard_ids():
    ids = [rule["id"] for _, rule in rules()]
    assert len(ids) >= 40
    assert len(ids) == len(set(ids))
    assert all(i.startswith("guard.") for i in ids)


@pytest.mark.parametrize("path,rule", rules(), ids=lambda v: v["id"] if isinstance(v, dict) else v.name)
def test_rule_carries_required_metadata(path: Path, rule: dict):
    assert rule["message"].strip() and rule["languages"]
    assert rule["severity"] in {"ERROR", "WARNING", "INFO"}
    meta = rule["metadata"]
    assert isinstance(meta["cwe"], list) and meta["cwe"] and all(CWE.match(c) for c in meta["cwe"])
    assert meta["guard-severity"] in GUARD_SEVERITIES
    assert meta["category"] == "security"
    for key in ("confidence", "likelihood", "impact"):
        assert meta[key] in {"LOW", "MEDIUM", "HIGH"}, key
    assert meta["references"] and all(r.startswith("https://") for r in meta["references"])
    assert all(o.startswith("A") and ":2021 - " in o for o in meta.get("owasp", []))
    assert path.parent.parent == PACK


@pytest.mark.parametrize("path,rule", rules(), ids=lambda v: v["id"] if isinstance(v, dict) else v.name)
def test_message_interpolates_only_metavariables_the_rule_binds(path: Path, rule: dict):
    """semgrep replaces `$NAME` in a message with what the metavariable matched and `$1` with a
    regex group: "placeholders ($1 / ?)" printed "placeholders (// Co / ?)", a different message
    (and finding) for each match."""
    body = yaml.safe_dump({k: v for k, v in rule.items() if k != "message"})
    for name in re.findall(r"\$(?:\.\.\.)?([A-Z0-9_]+)", rule["message"]):
        assert not name[0].isdigit(), f"{rule['id']}: message holds ${name}, a regex group semgrep fills in"
        assert re.search(rf"\$(?:\.\.\.)?{name}\b", body), f"{rule['id']}: message names ${name}, which no pattern binds"


@pytest.mark.parametrize("path,rule", rules(), ids=lambda v: v["id"] if isinstance(v, dict) else v.name)
def test_rule_has_fixture_with_true_positive_and_true_negative(path: Path, rule: dict):
    found: dict[tuple[str, str], list[int]] = {}
    for fixture in fixtures(path):
        for key, lines in annotations(fixture).items():
            found.setdefault(key, []).extend(lines)
    assert found.get(("ruleid", rule["id"])), f"no `ruleid: {rule['id']}` beside {path.name}"
    assert found.get(("ok", rule["id"])), f"no `ok: {rule['id']}` beside {path.name}"


# --- rule tests with the real semgrep --------------------------------------------------------------

needs_semgrep = pytest.mark.skipif(
    semgrep_executable() is None,
    reason="semgrep not found: set GUARD_SEMGREP or run `guard tools install semgrep`")


def run_rule_tests(*extra: str) -> dict:
    proc = subprocess.run([semgrep_executable(), "scan", "--test", "--json", *OFFLINE, *extra, str(PACK)],
                          capture_output=True, text=True, env=SEMGREP_ENV, timeout=600, check=False)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"semgrep --test {' '.join(extra)} printed no JSON (exit {proc.returncode}): "
                    f"{proc.stderr.strip()[-2000:]}")


def assert_every_rule_passes(report: dict) -> None:
    assert report["config_missing_tests"] == []
    assert report["config_with_errors"] == []
    checks = {rule_id: check for per_file in report["results"].values()
              for rule_id, check in per_file["checks"].items()}
    assert set(checks) == {rule["id"] for _, rule in rules()}
    for path, rule in rules():
        check = checks[rule["id"]]
        assert check["passed"] and not check["errors"], (rule["id"], check)
        expected = {line for m in check["matches"].values() for line in m["expected_lines"]}
        reported = {line for m in check["matches"].values() for line in m["reported_lines"]}
        assert expected and expected <= reported, rule["id"]
        ok_lines = {line for fixture in fixtures(path)
                    for line in annotations(fixture).get(("ok", rule["id"]), [])}
        assert ok_lines and not ok_lines & reported, rule["id"]


@needs_semgrep
def test_every_rule_test_passes_with_the_experimental_engine():
    assert_every_rule_passes(run_rule_tests("--experimental"))


@pytest.fixture(scope="module")
def classic_scan() -> dict[str, list[tuple[str, int]]]:
    """One classic-engine scan (the engine `guard scan` uses) of every fixture and the example.

    Returns rule id -> [(resolved path, start line)] of each result. `semgrep --test` without --experimental
    starts one process per rule file, which costs a minute on a busy machine; one scan gives the
    same verdict and also covers examples/insecure-shop.
    """
    targets = [str(f) for path in rule_files() for f in fixtures(path)] + [str(EXAMPLE)]
    proc = subprocess.run(
        [semgrep_executable(), "scan", "--json", *OFFLINE, "--no-git-ignore",
         *[arg for path in rule_files() for arg in ("--config", str(path))], *targets],
        capture_output=True, text=True, env=SEMGREP_ENV, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert doc["errors"] == [], doc["errors"]
    hits: dict[str, list[tuple[str, int]]] = {}
    for result in doc["results"]:
        rule_id = result["check_id"][result["check_id"].index("guard."):]
        hits.setdefault(rule_id, []).append((str(Path(result["path"]).resolve()), result["start"]["line"]))
    return hits


@needs_semgrep
def test_classic_engine_reports_exactly_the_annotated_lines(classic_scan):
    for path, rule in rules():
        mine = {str(f.resolve()) for f in fixtures(path)}
        results = [hit for hit in classic_scan.get(rule["id"], []) if hit[0] in mine]
        got = set(results)
        # one finding per problem: `eval(compile(s))` is one string run as code, not two
        assert len(results) == len(got), (rule["id"], sorted(h for h in got if results.count(h) > 1))
        expected = {(str(f.resolve()), line) for f in fixtures(path)
                    for line in annotations(f).get(("ruleid", rule["id"]), [])}
        ok = {(str(f.resolve()), line) for f in fixtures(path)
              for line in annotations(f).get(("ok", rule["id"]), [])}
        assert expected and got == expected, (rule["id"], sorted(expected - got), sorted(got - expected))
        assert ok and not ok & got, rule["id"]


@needs_semgrep
def test_a_wrong_annotation_fails_the_rule_tests(tmp_path):
    broken = tmp_path / "python"
    broken.mkdir()
    for name in ("code-injection.yaml", "code-injection.py"):
        (broken / name).write_text((PACK / "python" / name).read_text())
    fixture = broken / "code-injection.py"
    fixture.write_text(fixture.read_text().replace("# ok: guard.python.code-injection",
                                                   "# ruleid: guard.python.code-injection", 1))
    proc = subprocess.run([semgrep_executable(), "scan", "--test", "--experimental", "--json", *OFFLINE, str(broken)],
                          capture_output=True, text=True, env=SEMGREP_ENV, timeout=600, check=False)
    assert proc.returncode != 0
    (result,) = json.loads(proc.stdout)["results"].values()
    assert result["checks"]["guard.python.code-injection"]["passed"] is False


# --- the pack on the deliberately insecure example -------------------------------------------------

EXPECTED_ON_EXAMPLE = {
    "guard.python.sql-injection", "guard.python.subprocess-shell-injection", "guard.python.yaml-unsafe-load",
    "guard.python.weak-hash", "guard.python.embedded-secret-token", "guard.python.hardcoded-credential",
    "guard.python.tls-verify-disabled", "guard.python.debug-enabled", "guard.python.insecure-deserialization",
    "guard.python.log-personal-data", "guard.python.insecure-tempfile", "guard.python.code-injection",
    "guard.python.template-injection", "guard.python.open-redirect",
    "guard.terraform.s3-public-acl", "guard.terraform.s3-public-access-block-disabled",
    "guard.terraform.sg-admin-port-open-to-world", "guard.terraform.rds-publicly-accessible",
    "guard.terraform.rds-storage-not-encrypted", "guard.terraform.ebs-volume-not-encrypted",
    "guard.terraform.kms-key-rotation-disabled", "guard.terraform.iam-wildcard-action",
    "guard.terraform.cloudtrail-log-validation-disabled", "guard.terraform.hardcoded-credentials",
    "guard.dockerfile.unpinned-base-image", "guard.dockerfile.runs-as-root", "guard.dockerfile.add-remote-url",
    "guard.dockerfile.curl-pipe-shell", "guard.dockerfile.secret-in-env",
    "guard.kubernetes.privileged-container", "guard.kubernetes.run-as-root", "guard.kubernetes.hostpath-volume",
    "guard.kubernetes.image-latest-tag", "guard.kubernetes.host-namespaces",
    "guard.kubernetes.allow-privilege-escalation", "guard.kubernetes.missing-resource-limits",
    "guard.github-actions.script-injection", "guard.github-actions.pull-request-target-checkout",
    "guard.github-actions.unpinned-action", "guard.github-actions.write-all-permissions",
}


@needs_semgrep
def test_pack_finds_the_planted_problems_in_the_example(classic_scan):
    example = str(EXAMPLE.resolve())
    fired = {rule_id for rule_id, hits in classic_scan.items() if any(p.startswith(example) for p, _ in hits)}
    assert EXPECTED_ON_EXAMPLE <= fired, sorted(EXPECTED_ON_EXAMPLE - fired)
    db_module = str(EXAMPLE.resolve() / "shop" / "db.py")
    assert len([p for p, _ in classic_scan["guard.python.sql-injection"] if p == db_module]) == 3
