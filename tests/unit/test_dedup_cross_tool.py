"""Cross-tool dedup: same CWE or vulnerability id at overlapping lines (or same resource) merges."""

from __future__ import annotations

from guard.dedup import dedup, same_problem
from guard.model import Category, Finding, Location, Rule, Severity


def f(tool: str, rule: str, cwe: tuple[str, ...] = (), path: str | None = "main.tf", lines: tuple[int, int] | None = (3, 10),
      severity: Severity = Severity.MEDIUM, resource: str | None = None, aliases: tuple[str, ...] = ()) -> Finding:
    loc = None if path is None else Location(path, *(lines or (None, None)))
    return Finding(tool=tool, rule=Rule(rule, rule, rule, rule, rule), message=rule, severity=severity,
                   category=Category.IAC, location=loc, cwe=cwe, resource=resource, aliases=aliases, found_by=(tool,))


def test_checkov_and_trivy_on_the_same_bucket_merge_keeping_the_worst_severity():
    ckv = f("checkov", "CKV_AWS_145", ("CWE-311",), lines=(3, 10), severity=Severity.MEDIUM)
    trv = f("trivy", "AWS-0132", ("CWE-311",), lines=(3, 10), severity=Severity.HIGH)
    (merged,) = dedup([ckv, trv])
    assert merged.tool == "trivy" and merged.severity is Severity.HIGH
    assert merged.found_by == ("checkov", "trivy") and merged.properties["merged"] == ["checkov:CKV_AWS_145"]


def test_no_merge_without_shared_weakness_or_overlap_or_across_files():
    base = f("checkov", "A", ("CWE-311",), lines=(3, 10))
    assert not same_problem(base, f("trivy", "B", ("CWE-284",), lines=(3, 10)))
    assert not same_problem(base, f("trivy", "B", ("CWE-311",), lines=(11, 12)))
    assert not same_problem(base, f("trivy", "B", ("CWE-311",), path="other.tf"))
    assert not same_problem(base, f("checkov", "B", ("CWE-311",)))  # one tool never merges with itself
    assert len(dedup([base, f("checkov", "B", ("CWE-311",))])) == 2


def test_each_result_lands_in_exactly_one_group():
    ckv1 = f("checkov", "CKV_AWS_19", ("CWE-311",))
    ckv2 = f("checkov", "CKV_AWS_145", ("CWE-311",))
    trv1 = f("trivy", "AWS-0088", ("CWE-311",))
    trv2 = f("trivy", "AWS-0132", ("CWE-311",))
    out = dedup([ckv1, ckv2, trv1, trv2])
    assert len(out) == 2 and sorted(t for g in out for t in g.found_by) == ["checkov", "checkov", "trivy", "trivy"]


def test_vulnerability_ids_and_resources_merge():
    a = f("osv", "GHSA-xxxx-yyyy-zzzz", path="requirements.txt", lines=(4, 4), aliases=("CVE-2023-1234",))
    b = f("grype", "CVE-2023-1234", path="requirements.txt", lines=(4, 4))
    assert len(dedup([a, b])) == 1
    c = f("cloud-a", "x", ("CWE-284",), path=None, resource="arn:aws:s3:::bucket")
    d = f("cloud-b", "y", ("CWE-284",), path=None, resource="arn:aws:s3:::bucket")
    e = f("cloud-b", "y", ("CWE-284",), path=None, resource="arn:aws:s3:::other")
    assert len(dedup([c, d])) == 1 and len(dedup([c, e])) == 2
