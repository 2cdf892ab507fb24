"""Cross-tool dedup: same vulnerability id, or CWE (infrastructure checks: topic), at overlapping lines (or
same resource) merges."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from guard.dedup import dedup, same_problem
from guard.model import Category, Finding, Location, Rule, Severity


ENCRYPTED = "Ensure the bucket is encrypted with a KMS key"


def f(tool: str, rule: str, cwe: tuple[str, ...] = (), path: str | None = "main.tf", lines: tuple[int, int] | None = (3, 10),
      severity: Severity = Severity.MEDIUM, resource: str | None = None, aliases: tuple[str, ...] = (),
      title: str = ENCRYPTED, category: Category = Category.IAC) -> Finding:
    loc = None if path is None else Location(path, *(lines or (None, None)))
    return Finding(tool=tool, rule=Rule(rule, rule, title, title, title), message=rule, severity=severity,
                   category=category, location=loc, cwe=cwe, resource=resource, aliases=aliases, found_by=(tool,))


def test_checkov_and_trivy_on_the_same_bucket_merge_keeping_the_worst_severity():
    ckv = f("checkov", "CKV_AWS_145", ("CWE-311",), lines=(3, 10), severity=Severity.MEDIUM)
    trv = f("trivy", "AWS-0132", ("CWE-311",), lines=(3, 10), severity=Severity.HIGH, title="Unencrypted S3 bucket")
    (merged,) = dedup([ckv, trv])
    assert merged.tool == "trivy" and merged.severity is Severity.HIGH
    assert merged.found_by == ("checkov", "trivy") and merged.properties["merged"] == ["checkov:CKV_AWS_145"]


def test_no_merge_without_shared_weakness_or_overlap_or_across_files():
    base = f("checkov", "A", ("CWE-311",), lines=(3, 10))
    assert not same_problem(base, f("trivy", "B", ("CWE-284",), lines=(3, 10), title="Bucket is public"))
    assert not same_problem(f("semgrep", "A", ("CWE-311",), category=Category.SAST),
                            f("bandit", "B", ("CWE-284",), category=Category.SAST))
    assert not same_problem(base, f("trivy", "B", ("CWE-311",), lines=(11, 12)))
    assert not same_problem(base, f("trivy", "B", ("CWE-311",), path="other.tf"))
    assert not same_problem(base, f("checkov", "B", ("CWE-311",)))  # one tool never merges with itself
    assert len(dedup([base, f("checkov", "B", ("CWE-311",))])) == 2


def test_a_cwe_and_its_parent_name_one_problem():
    """flask: bandit's exec (CWE-95 once corrected) and semgrep's code injection (CWE-94's child), bandit's
    SHA-1 (CWE-327) and semgrep's weak hash (CWE-328); bandit's hard-coded password (CWE-259) and a
    credential rule (CWE-798). Unrelated CWEs on one line stay apart."""
    def code(tool: str, cwe: str) -> Finding:
        return f(tool, f"{tool}-{cwe}", (cwe,), path="app.py", lines=(7, 7), category=Category.SAST)

    assert len(dedup([code("bandit", "CWE-327"), code("semgrep", "CWE-328")])) == 1
    assert len(dedup([code("bandit", "CWE-259"), code("semgrep", "CWE-798")])) == 1
    assert len(dedup([code("bandit", "CWE-94"), code("semgrep", "CWE-95")])) == 1
    (merged,) = dedup([code("bandit", "CWE-327"), code("semgrep", "CWE-328")])
    assert merged.cwe == ("CWE-327", "CWE-328")  # the tools' own CWEs are kept
    assert len(dedup([code("bandit", "CWE-78"), code("semgrep", "CWE-89")])) == 2
    assert len(dedup([code("bandit", "CWE-95"), code("semgrep", "CWE-78")])) == 2


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
    c = f("cloud-a", "x", ("CWE-284",), path=None, resource="arn:aws:s3:::bucket", category=Category.CLOUD)
    d = f("cloud-b", "y", ("CWE-284",), path=None, resource="arn:aws:s3:::bucket", category=Category.CLOUD)
    e = f("cloud-b", "y", ("CWE-284",), path=None, resource="arn:aws:s3:::other", category=Category.CLOUD)
    assert len(dedup([c, d])) == 1 and len(dedup([c, e])) == 2


def test_infrastructure_checks_merge_by_topic_not_by_a_shared_coarse_cwe():
    """checkov reports a Deployment's whole manifest (lines 1-73); four CWE-250 checks of each tool
    overlap it, and each pairs with the check about the same thing."""
    ckv = [f("checkov", "CKV_K8S_20", ("CWE-250",), lines=(1, 73),
             title="Containers should not run with allowPrivilegeEscalation"),
           f("checkov", "CKV_K8S_23", ("CWE-250",), lines=(1, 73), title="Minimize the admission of root containers"),
           f("checkov", "CKV_K8S_22", (), lines=(1, 73),
             title="Use read-only filesystem for containers where possible")]
    trv = [f("trivy", "KSV-0012", ("CWE-250",), lines=(25, 73), title="Runs as root user"),
           f("trivy", "KSV-0014", ("CWE-250",), lines=(25, 73), title="Root file system is not read-only"),
           f("trivy", "KSV-0001", ("CWE-250",), lines=(25, 73), title="Process can elevate its own privileges"),
           f("trivy", "KSV-0118", (), lines=(25, 73), title="Default security context configured")]
    pairs = sorted((g.rule_id, *g.properties.get("merged", [])) for g in dedup([*ckv, *trv]))
    assert pairs == [("CKV_K8S_20", "trivy:KSV-0001"), ("CKV_K8S_22", "trivy:KSV-0014"),
                     ("CKV_K8S_23", "trivy:KSV-0012"), ("KSV-0118",)]
    healthcheck = [f("checkov", "CKV_DOCKER_2", ("CWE-284",), path="Dockerfile", lines=(1, 43),
                     title="Ensure that HEALTHCHECK instructions have been added to container images"),
                   f("trivy", "DS-0026", (), path="Dockerfile", lines=(1, 1), title="No HEALTHCHECK defined")]
    assert len(dedup(healthcheck)) == 1  # one topic, whatever CWE each tool's table gives


def test_a_code_rule_and_an_infrastructure_check_must_share_a_topic_as_well_as_a_cwe():
    """semgrep's privileged-container rule merged with checkov's host-PID check (both CWE-250) on a
    DaemonSet, and hid it; it pairs with checkov's privileged-container check."""
    rule = f("semgrep", "guard.kubernetes.privileged-container", ("CWE-250",), path="ds.yaml", lines=(29, 29),
             title="guard.kubernetes.privileged-container: The container runs privileged", category=Category.SAST)
    host_pid = f("checkov", "CKV_K8S_17", ("CWE-250",), path="ds.yaml", lines=(1, 64),
                 title="Do not admit containers wishing to share the host process ID namespace")
    privileged = f("checkov", "CKV_K8S_16", ("CWE-250",), path="ds.yaml", lines=(1, 64),
                   title="Do not admit privileged containers")
    assert len(dedup([host_pid, rule])) == 2
    (merged,) = dedup([privileged, rule])
    assert set(merged.found_by) == {"checkov", "semgrep"}


def test_a_secret_in_a_dockerfiles_env_is_one_finding_of_hadolint_and_trivy():
    """wrongsecrets' `ENV DOCKER_ENV_PASSWORD="This is it"`: hadolint's DL3064 (its table said "pin ADD
    downloads", CWE-494) and trivy's DS-0031 (no CWE from its title) stood apart."""
    from guard.scanners.data.hadolint_rules import RULES
    from guard.scanners.data.iac import keyword_cwe

    title, _, cwe = RULES["DL3064"]
    trivy_title = "Secrets passed via build-args or envs or copied secret files"
    hadolint = f("hadolint", "DL3064", cwe, path="Dockerfile", lines=(18, 18), title=title)
    trivy = f("trivy", "DS-0031", keyword_cwe(trivy_title)[1], path="Dockerfile", lines=(18, 18), title=trivy_title,
              severity=Severity.CRITICAL)
    (merged,) = dedup([hadolint, trivy])
    assert set(merged.found_by) == {"hadolint", "trivy"} and merged.severity is Severity.CRITICAL


def test_a_secret_scanners_finding_and_an_infrastructure_check_of_literal_credentials_share_a_cwe():
    """wrongsecrets' `ARG argBasedPassword="default"`: detect-secrets' keyword hit and guard's
    plaintext-secret policy (no topic in detect-secrets' title) stood apart."""
    keyword = f("detect-secrets", "secret-keyword", ("CWE-798",), path="Dockerfile", lines=(12, 12),
                title="Secret Keyword committed to the repository", category=Category.SECRET)
    policy = f("guard-policy", "GUARD-SEC-002", ("CWE-798",), path="Dockerfile", lines=(12, 12),
               title="No plaintext secrets in images or manifests", severity=Severity.HIGH)
    (merged,) = dedup([keyword, policy])
    assert set(merged.found_by) == {"detect-secrets", "guard-policy"}
    assert merged.rule_id == "GUARD-SEC-002" and merged.category is Category.SECRET  # still a secret to the gate
    healthcheck = f("checkov", "CKV_DOCKER_2", ("CWE-284",), path="Dockerfile", lines=(1, 43))
    assert len(dedup([keyword, healthcheck])) == 2  # still a CWE to share


def test_checks_of_different_settings_of_one_topic_do_not_pair():
    """aws-cloudformation-templates: the four S3 public access block settings, each checked by both tools
    on every bucket; checkov's restrict_public_buckets paired with trivy's ignore-public-ACLs check."""
    ckv = [f("checkov", "CKV_AWS_53", ("CWE-284",), title="Ensure S3 bucket has block public ACLS enabled"),
           f("checkov", "CKV_AWS_54", ("CWE-284",), title="Ensure S3 bucket has block public policy enabled"),
           f("checkov", "CKV_AWS_56", ("CWE-284",), title="Ensure S3 bucket has 'restrict_public_buckets' enabled"),
           f("checkov", "CKV_AWS_55", ("CWE-284",), title="Ensure S3 bucket has ignore public ACLs enabled")]
    trv = [f("trivy", "AWS-0086", (), title="S3 Access block should block public ACL"),
           f("trivy", "AWS-0087", (), title="S3 Access block should block public policy"),
           f("trivy", "AWS-0091", (), title="S3 Access Block should Ignore Public Acl"),
           f("trivy", "AWS-0093", (), title="S3 Access block should restrict public bucket to limit access")]
    pairs = sorted((g.rule_id, *g.properties.get("merged", [])) for g in dedup([*ckv, *trv]))
    assert pairs == [("CKV_AWS_53", "trivy:AWS-0086"), ("CKV_AWS_54", "trivy:AWS-0087"),
                     ("CKV_AWS_55", "trivy:AWS-0091"), ("CKV_AWS_56", "trivy:AWS-0093")]
    public = f("guard-policy", "GUARD-S3-002", ("CWE-284",), title="S3 buckets block public access")
    assert len(dedup([public, ckv[0]])) == 1  # a check of no one setting still pairs by the topic


def _dedup_trying_every_group(findings: list[Finding]) -> list[list[Finding]]:
    """The grouping by definition: each finding joins the oldest group of its file it is the same problem as."""
    groups: list[list[Finding]] = []
    for x in findings:
        path = x.location.path if x.location else None
        for g in groups:
            if ((g[0].location.path if g[0].location else None) == path and x.tool not in {m.tool for m in g}
                    and any(same_problem(x, m) for m in g)):
                g.append(x)
                break
        else:
            groups.append([x])
    return groups


@settings(max_examples=300, deadline=None, derandomize=not os.environ.get("GUARD_FUZZ_RANDOM"))
@given(st.lists(st.tuples(st.sampled_from(["checkov", "trivy", "semgrep"]), st.sampled_from(["a.tf", "b.tf", None]),
                          st.integers(1, 12), st.integers(0, 4),
                          st.lists(st.sampled_from(["CWE-311", "CWE-284", "CWE-89", "CWE-798", "CWE-259"]), max_size=2,
                                   unique=True),
                          st.sampled_from([(), ("CVE-2024-1",), ("GHSA-x",)]), st.sampled_from([None, "r1", "r2"]),
                          st.sampled_from([ENCRYPTED, "Bucket is public", "Public and unencrypted", "Other"]),
                          st.sampled_from([Category.IAC, Category.SAST])),
                max_size=30))
def test_indexed_dedup_groups_as_trying_every_group(specs: list[tuple]) -> None:
    findings = [f(tool, f"R{i}", tuple(cwe), path=path, lines=(start, start + span), resource=resource, aliases=aliases,
                  title=title, category=category)
                for i, (tool, path, start, span, cwe, aliases, resource, title, category) in enumerate(specs)]
    expected = [[(x.tool, x.rule_id) for x in g] for g in _dedup_trying_every_group(findings)]
    merged = dedup(findings)
    assert len(merged) == len(expected)
    for out, group in zip(merged, expected):
        assert out.found_by == tuple(dict.fromkeys(t for t, _ in group))
        assert sorted(out.properties.get("merged", [])) == sorted(
            f"{t}:{r}" for t, r in group if (t, r) != (out.tool, out.rule_id))
