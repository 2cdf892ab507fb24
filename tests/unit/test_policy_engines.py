"""Both Rego engines: the whole pack's tests pass and give identical results; broken policies fail at load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from guard.config import Config, PolicySettings
from guard.model import Category, Finding, Location, Rule, Severity
from guard.policy.base import PolicyContext, PolicyError
from guard.policy.loader import builtin_dir, load_engine, load_pack, make_engine
from guard.policy.runner import evaluate_pack, findings_input, run_policies
from guard.policy.testing import load_for_tests, run_tests

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "policy"
ENGINES = ["regorus", "opa"]


def _finding(n: int, **kw) -> Finding:
    base = dict(tool="t", rule=Rule(id=f"R{n % 7}", name="r", short_description=f"title {n}", full_description="",
                                    help_text=""),
                message="m", severity=Severity.LOW, category=Category.SAST,
                location=Location(path=f"src/f{n % 50}.py", start_line=n % 300 + 1), fingerprint=f"fp{n}")
    base.update(kw)
    return Finding(**base)


SAMPLE = [
    _finding(1, severity=Severity.CRITICAL),
    _finding(2, category=Category.SECRET),
    _finding(3, category=Category.DEPENDENCY, properties={"fixed_versions": ["2.0"]}),
    _finding(4, category=Category.DEPENDENCY, properties={"fixed_versions": []}),
    _finding(5, severity=Severity.HIGH, cwe=("CWE-89",)),
    _finding(6, severity=Severity.MEDIUM, cwe=("CWE-327",)),
]
CONTEXT = PolicyContext("repo", "main", ("src/f1.py",), ("soc2",), "high")


@pytest.mark.parametrize("engine", ENGINES)
def test_builtin_pack_tests_pass(engine: str) -> None:
    eng = make_engine(engine, PolicySettings())
    pack = load_for_tests([builtin_dir()], eng)
    results = run_tests(pack, eng)
    assert len(pack.policies) + len(pack.python) >= 25
    failed = [r for r in results if not r.passed]
    assert not failed, failed
    for module in pack.policies:  # every Rego policy has at least a passing and a failing case
        tests = [m for m in pack.modules if m.package == f"{module.package}_test"]
        assert tests and sum(len(t.tests) for t in tests) >= 2, module.path


def test_engines_agree_on_the_whole_pack() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "insecure-shop"
    files = [str(p.relative_to(example)) for p in example.rglob("*") if p.is_file()]
    out = {}
    for engine in ENGINES:
        run = run_policies(Config(), example, files, SAMPLE, CONTEXT, engine=engine)
        eng = make_engine(engine, PolicySettings())
        results = run_tests(load_for_tests([builtin_dir()], eng), eng)
        eng.close()
        out[engine] = (
            [(f.rule_id, f.location, f.message, f.severity, f.fingerprint) for f in run.findings],
            [(v.policy, v.fingerprint, v.message) for v in run.violations],
            [r.id for r in run.checks],
            [(r.name, r.passed) for r in results],
        )
    assert out["regorus"] == out["opa"]
    assert len(out["regorus"][0]) > 20


@pytest.mark.parametrize("engine", ENGINES)
def test_finding_gates(engine: str) -> None:
    pack = load_pack([builtin_dir()], entry_points=False)
    eng = make_engine(engine, PolicySettings())
    load_engine(pack, eng)
    run = evaluate_pack(pack, eng, {"findings": findings_input(SAMPLE, CONTEXT)})
    got = {(v.policy, v.fingerprint) for v in run.violations}
    assert got == {("GUARD-GATE-001", "fp1"), ("GUARD-GATE-002", "fp2"), ("GUARD-GATE-003", "fp3"),
                   ("GUARD-GATE-004", "fp5"), ("GUARD-GATE-005", "fp6")}
    secret = next(v for v in run.violations if v.policy == "GUARD-GATE-002")
    assert "8.6.2" in secret.controls["pci-dss"] and secret.severity is Severity.HIGH
    assert {r.id for r in run.checks} >= {"GUARD-GATE-001", "GUARD-GATE-003"}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fixture,where,text", [
    ("broken_syntax", "broken.rego:1", ""),
    ("unknown_builtin", "unknown.rego:14", "nosuch.builtin"),
    ("bad_metadata", "bad.rego:1", "severity"),
])
def test_broken_policy_fails_at_load(engine: str, fixture: str, where: str, text: str) -> None:
    eng = make_engine(engine, PolicySettings())
    with pytest.raises(PolicyError) as err:
        load_engine(load_pack([FIXTURES / fixture], entry_points=False), eng)
    message = str(err.value)
    assert where.split(":")[0] in message and text in message
    if fixture == "unknown_builtin":
        assert where in message


@pytest.mark.parametrize("engine", ENGINES)
def test_evaluation_error_is_an_error_not_a_pass(engine: str) -> None:
    pack = load_pack([FIXTURES / "eval_error"], entry_points=False)
    eng = make_engine(engine, PolicySettings())
    load_engine(pack, eng)  # empty input: no conflict yet
    with pytest.raises(PolicyError, match="conflict.rego:1[34]"):
        evaluate_pack(pack, eng, {"findings": findings_input(SAMPLE, CONTEXT)})


@pytest.mark.parametrize("engine", ENGINES)
def test_failing_policy_test_is_reported(engine: str) -> None:
    eng = make_engine(engine, PolicySettings())
    results = run_tests(load_for_tests([FIXTURES / "failing_test"], eng), eng)
    assert {(r.name.split(".")[-1], r.passed) for r in results} == {("test_passes", True), ("test_fails", False)}


def test_user_policy_dir_and_data(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  tags = { app = "x" }\n}\n')
    config = Config(policies=PolicySettings(paths=[str(FIXTURES / "user")], data=[str(FIXTURES / "user_data.yaml")]))
    run = run_policies(config, tmp_path, ["main.tf"], [], CONTEXT)
    (acme,) = [f for f in run.findings if f.rule_id == "ACME-001"]
    assert acme.message == "aws_s3_bucket.b has no owner tag" and acme.location.start_line == 2
    assert acme.controls == {"soc2": ("CC1.3",)}


def test_missing_engine_url_and_unknown_engine() -> None:
    with pytest.raises(PolicyError, match="needs an OPA URL"):
        make_engine("opa-server", PolicySettings())
    with pytest.raises(PolicyError, match="unknown policy engine"):
        make_engine("wasm", PolicySettings())


def test_a_pack_that_passed_its_checks_skips_them_until_it_changes(tmp_path: Path) -> None:
    from guard.policy.regorus import RegorusEngine

    class Recording(RegorusEngine):
        def prepare(self, checked: bool = False) -> None:
            self.checked = checked
            super().prepare(checked)

    pack_dir, checks = tmp_path / "pack", tmp_path / "checks"
    pack_dir.mkdir()
    (pack_dir / "tagged.rego").write_text((FIXTURES / "user" / "tagged.rego").read_text())
    first, second = Recording(), Recording()
    load_engine(load_pack([builtin_dir(), pack_dir], entry_points=False), first, checks)
    load_engine(load_pack([builtin_dir(), pack_dir], entry_points=False), second, checks)
    assert (first.checked, second.checked) == (False, True) and len(list(checks.iterdir())) == 1

    (pack_dir / "tagged.rego").write_text((FIXTURES / "unknown_builtin" / "unknown.rego").read_text())
    with pytest.raises(PolicyError, match="nosuch.builtin"):
        load_engine(load_pack([builtin_dir(), pack_dir], entry_points=False), Recording(), checks)


def test_a_result_key_must_be_a_non_empty_string(tmp_path: Path) -> None:
    (tmp_path / "p.rego").write_text("""# METADATA
# title: T
# description: D
# custom:
#   id: X-KEY
#   severity: low
#   controls:
#     soc2: [CC6.1]
package guard.cloud.x

import rego.v1

deny contains {"msg": "m", "resource": "arn:x", "key": input.key} if true
""")
    pack = load_pack([tmp_path], entry_points=False)
    eng = make_engine("regorus", PolicySettings())
    load_engine(pack, eng)
    (finding,) = evaluate_pack(pack, eng, {"cloud": {"key": "disk 1"}}).findings
    assert finding.properties == {"key": "disk 1"}
    for bad in ("", 7):
        with pytest.raises(PolicyError, match=r"p\.rego:1: X-KEY: result key must be a non-empty string"):
            evaluate_pack(pack, eng, {"cloud": {"key": bad}})
    eng.close()


@pytest.mark.parametrize("preset", [{}, {"RUST_LIB_BACKTRACE": "1"}])
def test_regorus_errors_carry_no_rust_backtrace_unless_asked_for(preset: dict):
    """With RUST_BACKTRACE=1 each error (load-time built-in probes make dozens) captured a backtrace
    guard never shows; RUST_LIB_BACKTRACE, set by the user, is kept."""
    code = ("from guard.policy.regorus import regorus\n"
            "try:\n    regorus.Engine().eval_query_as_json('x := count(null)')\n"
            "except RuntimeError as exc:\n    print('Stack backtrace' in str(exc))\n")
    env = {k: v for k, v in os.environ.items() if k != "RUST_LIB_BACKTRACE"}
    out = subprocess.run([sys.executable, "-c", code], env={**env, "RUST_BACKTRACE": "1", **preset},
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(bool(preset))
