"""Per-control status: failed / passed / not assessed / manual, and what each result lists."""

from __future__ import annotations

from datetime import date

import pytest

from guard.compliance.controls import evaluate
from guard.compliance.frameworks import FrameworkError, load_frameworks
from guard.config import ManualControl
from guard.model import Category, ControlStatus, Finding, Location, Rule, ScannerRun, Severity, Status, Waiver

TODAY = date(2026, 9, 1)


def rule(rid: str, cwe: tuple[str, ...] = (), controls: dict | None = None) -> Rule:
    return Rule(id=rid, name=rid, short_description=rid, full_description=rid, help_text=rid, cwe=cwe,
                controls=controls or {})


B608 = rule("B608", ("CWE-89",))
B105 = rule("B105", ("CWE-259",))
S3 = rule("GUARD-S3-001", controls={"soc2": ("CC6.1", "CC6.7"), "pci-dss": ("3.5.1",)})


def finding(r: Rule, fp: str, tool: str = "bandit", category: Category = Category.SAST) -> Finding:
    return Finding(tool=tool, rule=r, message="m", severity=Severity.HIGH, category=category,
                   location=Location("app.py", 3), cwe=r.cwe, fingerprint=fp)


def run(name: str, checks: tuple[Rule, ...], status: Status = Status.OK, category: Category = Category.SAST,
        findings: tuple[Finding, ...] = ()) -> ScannerRun:
    return ScannerRun(scanner=name, category=category, status=status, checks=checks, findings=findings,
                      reason="" if status is Status.OK else "tool crashed")


@pytest.fixture(scope="module")
def fws():
    return load_frameworks(["soc2", "pci-dss", "iso27001", "gdpr"])


def by_id(results, framework, control):
    (hit,) = [r for r in results if r.framework == framework and r.control_id == control]
    return hit


def test_every_control_gets_exactly_one_result(fws):
    results = evaluate(fws, [], [], [], [], TODAY)
    assert len(results) == sum(len(f.controls) for f in fws)
    assert len([r for r in results if r.framework == "soc2"]) == 61


def test_a_control_with_no_mapped_check_is_not_assessed(fws):
    results = evaluate(fws, [], [], [run("bandit", (B608, B105))], [], TODAY)
    board = by_id(results, "soc2", "CC1.2")  # board independence: no check maps to it
    assert board.status is ControlStatus.NOT_ASSESSED and board.checks == ()
    assert "no mapped automated check ran" in board.note
    assert not [r for r in results if r.status is ControlStatus.PASSED and not r.checks]


def test_a_check_that_ran_and_found_nothing_passes_the_control_and_is_named(fws):
    results = evaluate(fws, [], [], [run("bandit", (B608,))], [], TODAY)
    secure_coding = by_id(results, "iso27001", "A.8.28")
    assert secure_coding.status is ControlStatus.PASSED and secure_coding.checks == ("bandit:B608",)
    assert by_id(results, "pci-dss", "6.2.4").status is ControlStatus.PASSED


@pytest.mark.parametrize("status", [Status.ERROR, Status.SKIPPED])
def test_removing_the_scanner_behind_a_control_makes_it_not_assessed(fws, status):
    before = evaluate(fws, [], [], [run("bandit", (B608,))], [], TODAY)
    assert by_id(before, "pci-dss", "6.2.4").status is ControlStatus.PASSED
    broken = evaluate(fws, [], [], [run("bandit", (B608,), status=status)], [], TODAY)
    control = by_id(broken, "pci-dss", "6.2.4")
    assert control.status is ControlStatus.NOT_ASSESSED and control.checks == ()
    assert f"bandit {status.value}" in control.note
    absent = evaluate(fws, [], [], [], [], TODAY)
    assert by_id(absent, "pci-dss", "6.2.4").status is ControlStatus.NOT_ASSESSED


def test_an_errored_scanner_does_not_count_even_next_to_a_passing_one(fws):
    results = evaluate(fws, [], [], [run("bandit", (B608,)), run("semgrep", (rule("sqli", ("CWE-89",)),), Status.ERROR)],
                       [], TODAY)
    control = by_id(results, "pci-dss", "6.2.4")
    assert control.status is ControlStatus.PASSED and control.checks == ("bandit:B608",)
    assert "semgrep error" in control.note


def test_a_failed_control_lists_the_failing_fingerprints_and_checks(fws):
    f1, f2 = finding(B608, "fp-sqli-1"), finding(B608, "fp-sqli-2")
    results = evaluate(fws, [f1, f2], [], [run("bandit", (B608, B105), findings=(f1, f2))], [], TODAY)
    control = by_id(results, "pci-dss", "6.2.4")
    assert control.status is ControlStatus.FAILED
    assert control.failing == ("fp-sqli-1", "fp-sqli-2") and "bandit:B608" in control.checks
    assert by_id(results, "pci-dss", "8.6.2").status is ControlStatus.PASSED  # B105 ran, found nothing


def test_failures_roll_up_to_the_parent_section_but_passes_do_not(fws):
    f = finding(rule("B105", ("CWE-259",)), "fp-pw")
    results = evaluate(fws, [f], [], [run("bandit", (B105,))], [], TODAY)
    section = by_id(results, "pci-dss", "8.6")
    assert section.status is ControlStatus.FAILED and section.failing == ("fp-pw",) and "via 8.6.2" in section.note
    clean = evaluate(fws, [], [], [run("bandit", (B105,))], [], TODAY)
    assert by_id(clean, "pci-dss", "8.6.2").status is ControlStatus.PASSED
    assert by_id(clean, "pci-dss", "8.6").status is ControlStatus.NOT_ASSESSED


def test_waived_findings_do_not_fail_but_are_listed(fws):
    f = finding(B608, "fp-waived")
    waiver = Waiver(reason="false positive", owner="sec", expires="2027-01-01", source=".guard-waivers.yaml:3")
    results = evaluate(fws, [], [(f, waiver)], [run("bandit", (B608,))], [], TODAY)
    control = by_id(results, "pci-dss", "6.2.4")
    assert control.status is ControlStatus.PASSED and control.waived == ("fp-waived",) and control.failing == ()
    unchecked = evaluate(fws, [], [(f, waiver)], [], [], TODAY)
    assert by_id(unchecked, "pci-dss", "6.2.4").status is ControlStatus.NOT_ASSESSED


def test_policy_checks_use_their_metadata_controls(fws):
    policy = run("policy", (S3,), category=Category.POLICY)
    results = evaluate(fws, [], [], [policy], [], TODAY)
    assert by_id(results, "soc2", "CC6.7").checks == ("policy:GUARD-S3-001",)
    bad = finding(S3, "fp-bucket", tool="policy", category=Category.POLICY)
    failed = evaluate(fws, [bad], [], [policy], [], TODAY)
    assert by_id(failed, "pci-dss", "3.5.1").status is ControlStatus.FAILED
    assert by_id(failed, "pci-dss", "3.5").failing == ("fp-bucket",)


def test_dependency_scanner_check_passes_patching_controls_through_its_category(fws):
    osv = run("osv", (rule("known-vulnerabilities"),), category=Category.DEPENDENCY)
    results = evaluate(fws, [], [], [osv], [], TODAY)
    assert by_id(results, "pci-dss", "6.3.3").checks == ("osv:known-vulnerabilities",)
    assert by_id(results, "iso27001", "A.8.8").status is ControlStatus.PASSED


def manual(control: str, expires: str, when: str = "2026-06-01", evidence: str = "evidence/board.pdf") -> ManualControl:
    return ManualControl(framework="soc2", control=control, evidence=evidence, owner="cfo@example.com", date=when,
                         expires=expires)


def test_valid_manual_attestation_is_manual(fws, tmp_path):
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "board.pdf").write_bytes(b"%PDF")
    results = evaluate(fws, [], [], [], [manual("CC1.2", "2027-06-01")], TODAY, root=tmp_path)
    control = by_id(results, "soc2", "CC1.2")
    assert control.status is ControlStatus.MANUAL and "cfo@example.com" in control.note


def test_expired_manual_attestation_is_not_assessed(fws):
    results = evaluate(fws, [], [], [], [manual("CC1.2", "2026-08-31")], TODAY)
    control = by_id(results, "soc2", "CC1.2")
    assert control.status is ControlStatus.NOT_ASSESSED and "expired on 2026-08-31" in control.note


@pytest.mark.parametrize("entry,reason", [
    (manual("CC1.2", "next year"), "invalid date"),
    (manual("CC1.2", "2027-01-01", when="2026-12-01"), "future"),
    (manual("CC1.2", "2027-01-01", evidence="missing.pdf"), "not found"),
])
def test_invalid_manual_attestation_is_not_assessed(fws, tmp_path, entry, reason):
    control = by_id(evaluate(fws, [], [], [], [entry], TODAY, root=tmp_path), "soc2", "CC1.2")
    assert control.status is ControlStatus.NOT_ASSESSED and reason in control.note


def test_failing_finding_overrides_a_manual_attestation(fws):
    f = finding(B105, "fp-pw")
    results = evaluate(fws, [f], [], [run("bandit", (B105,))], [manual("CC6.1", "2027-06-01")], TODAY)
    assert by_id(results, "soc2", "CC6.1").status is ControlStatus.FAILED


def test_manual_entry_for_an_unknown_control_is_an_error(fws):
    with pytest.raises(FrameworkError, match="CC9.9"):
        evaluate(fws, [], [], [], [manual("CC9.9", "2027-06-01")], TODAY)


def test_unknown_control_in_policy_metadata_is_an_error_naming_the_policy(fws):
    typo = rule("GUARD-X-001", controls={"soc2": ("CC6.10",)})
    with pytest.raises(FrameworkError, match=r"policy:GUARD-X-001.*CC6.10"):
        evaluate(fws, [], [], [run("policy", (typo,), category=Category.POLICY)], [], TODAY)


def test_violations_fail_their_policys_controls_after_the_findings_and_leave_the_count_as_it_was(fws):
    from guard.compliance.controls import Failures

    gate = rule("GUARD-GATE-003", controls={"pci-dss": ("6.2.4",)})
    stand_in = finding(gate, "", tool="guard-policy", category=Category.POLICY)
    f1, f2 = finding(B608, "fp-sqli-1"), finding(B608, "fp-sqli-2")
    failures = Failures(fws)
    failures.add([f1, f2])
    failures.count()  # counted ahead, as the pipeline does while the finding policies evaluate
    runs = [run("bandit", (B608,), findings=(f1, f2))]
    # a violation about f2 (its fingerprint) is listed once; one about the run comes after the findings
    results = failures.status([], runs, [], TODAY, violations=[(stand_in, ["fp-sqli-2"]), (stand_in, ["GATE-003:run"])])
    control = by_id(results, "pci-dss", "6.2.4")
    assert control.failing == ("fp-sqli-1", "fp-sqli-2", "GATE-003:run")
    assert control.checks[:2] == ("bandit:B608", "guard-policy:GUARD-GATE-003")
    assert by_id(results, "pci-dss", "6.2").failing == control.failing  # rolled up alike
    again = failures.status([], runs, [], TODAY)  # without the violations: the count was not changed
    assert by_id(again, "pci-dss", "6.2.4").failing == ("fp-sqli-1", "fp-sqli-2")
    assert by_id(again, "pci-dss", "6.2.4").checks == ("bandit:B608",)


def test_a_file_a_tool_could_not_check_leaves_its_controls_not_assessed_rather_than_failed_or_passed(fws):
    from guard.scanners.base import coverage_rule, not_checked

    gap_rule = coverage_rule("bandit/file-not-checked", "not checked", "not checked", "fix it", "sast")
    gap = not_checked(gap_rule, Category.SAST, "legacy.py", 1, "bandit could not parse legacy.py")
    scanners = [run("bandit", (B608, gap_rule))]
    results = evaluate(fws, [gap], [], scanners, [], TODAY)
    control = by_id(results, "iso27001", "A.8.28")
    assert control.status is ControlStatus.NOT_ASSESSED and control.failing == ()
    assert control.checks == ("bandit:B608", "bandit:bandit/file-not-checked")  # what did run
    assert control.note.startswith(
        "1 file(s) a mapped check could not judge (bandit:bandit/file-not-checked: legacy.py)")

    failed = evaluate(fws, [gap, finding(B608, "fp-sqli")], [], scanners, [], TODAY)  # a failure still fails
    assert by_id(failed, "iso27001", "A.8.28").status is ControlStatus.FAILED
    waiver = Waiver(reason="Python 2 module, retired in Q1", owner="sec", expires="2027-01-01", source="w.yaml:1")
    accepted = evaluate(fws, [], [(gap, waiver)], scanners, [], TODAY)
    assert by_id(accepted, "iso27001", "A.8.28").status is ControlStatus.PASSED


def test_violations_count_in_their_order_when_a_policys_are_not_together(fws):
    """Violations come sorted by severity first: one policy's may be split by another's."""
    from guard.compliance.controls import Failures
    from guard.pipeline import violation_failures
    from guard.policy.base import Violation

    pci = {"pci-dss": ("6.2.4",)}
    a, b = dict(pci), dict(pci)  # each policy's violations share its mapping
    violations = [Violation("GATE-A", Severity.CRITICAL, "m", "a1", a, "a.rego:1"),
                  Violation("GATE-A", Severity.CRITICAL, "m", "a2", a, "a.rego:1"),
                  Violation("GATE-B", Severity.HIGH, "m", "b1", b, "b.rego:1"),
                  Violation("GATE-A", Severity.HIGH, "m", None, a, "a.rego:1")]
    counted = violation_failures(violations)
    assert [fps for _, fps in counted] == [["a1", "a2"], ["b1"], ["GATE-A:run"]]
    assert counted[0][0] is counted[2][0] and counted[1][0] is not counted[0][0]  # one stand-in per policy
    results = Failures(fws).status([], [], [], TODAY, violations=counted)
    control = by_id(results, "pci-dss", "6.2.4")
    assert control.failing == ("a1", "a2", "b1", "GATE-A:run")
    assert control.checks == ("guard-policy:GATE-A", "guard-policy:GATE-B")
