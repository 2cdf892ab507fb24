"""The AWS cloud policy pack: metadata, control ids that exist, and every test_* rule passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.cloud.aws import cloud_checks, service_of
from guard.cloud.collectors import all_collectors
from guard.compliance.frameworks import control_key, load_frameworks
from guard.policy.loader import builtin_dir, load_engine, load_pack
from guard.policy.regorus import RegorusEngine

AWS = builtin_dir() / "rego" / "aws"


@pytest.fixture(scope="module")
def pack():
    return load_pack([AWS, builtin_dir() / "rego" / "lib"], include_tests=True, entry_points=False)


@pytest.fixture(scope="module")
def engine(pack):
    eng = RegorusEngine()
    load_engine(pack, eng)
    yield eng
    eng.close()


def test_every_policy_belongs_to_a_collector_and_is_a_cloud_policy(pack):
    services = set(all_collectors())
    policies = pack.policies
    assert len(policies) == 29
    for module in policies:
        assert module.meta.input == "cloud" and module.meta.category == "cloud", module.path
        assert service_of(module) in services, module.package
        assert module.meta.id.startswith("GUARD-AWS-") and module.meta.rationale
    assert set(cloud_checks(pack)) == services  # every service has at least one check


def test_every_control_id_is_in_its_catalog(pack):
    frameworks = {f.id: f for f in load_frameworks(["soc2", "pci-dss", "iso27001", "gdpr"])}
    for module in pack.policies:
        for fw, ids in module.meta.controls.items():
            known = {control_key(c.id) for c in frameworks[fw].controls}
            for cid in ids:
                assert control_key(cid) in known, f"{module.path}: {fw} {cid}"


def test_every_policy_has_a_failing_and_a_passing_test(pack):
    tests = {m.package.removesuffix("_test"): [n for n, _ in m.tests] for m in pack.modules if m.package.endswith("_test")}
    for module in pack.policies:
        names = tests.get(module.package, [])
        assert any(n.endswith("_denied") for n in names), module.path
        assert any(n.endswith("_allowed") for n in names), module.path


def test_rego_tests_pass_on_regorus(pack, engine):
    results = {f"{m.package}.{name}": engine.evaluate(f"{m.ref}.{name}", {}) for m in pack.modules for name, _ in m.tests}
    assert len(results) >= 70
    assert [k for k, v in results.items() if v is not True] == []


def test_results_name_the_resource_arn(engine):
    bucket = {"arn": "arn:aws:s3:::b", "account": "111122223333", "region": "us-east-1", "type": "aws_s3_bucket",
              "attributes": {"name": "b", "encryption": []}}
    assert engine.evaluate("data.guard.cloud.aws.s3.bucket_encryption.deny", {"resources": [bucket]}) == [
        {"msg": "bucket b has no default encryption", "resource": "arn:aws:s3:::b"}]
    assert engine.evaluate("data.guard.cloud.aws.s3.bucket_encryption.deny", {"resources": []}) == []


def test_readme_documents_every_resource_type():
    text = (Path(__file__).resolve().parents[2] / "guard" / "cloud" / "README.md").read_text()
    for policy in AWS.glob("*.rego"):
        for word in policy.read_text().split('"'):
            if word.startswith("aws_") and " " not in word:
                assert f"`{word}`" in text, f"{policy.name}: {word}"


def test_a_key_s_age_does_not_change_its_fingerprint():
    """The message carries the age (it changes daily); the result's `key` keeps baselines and waivers matching."""
    from guard.cloud.aws import _as_aws
    from guard.policy.runner import evaluate_pack

    pack = load_pack([AWS, builtin_dir() / "rego" / "lib"], entry_points=False)
    engine = RegorusEngine()
    load_engine(pack, engine)

    def finding(age: int, number: int = 1):
        user = {"arn": "arn:aws:iam::111122223333:user/ci", "account": "111122223333", "region": "global",
                "type": "aws_iam_user", "attributes": {"user_name": "ci", "password_enabled": False, "mfa_active": True,
                                                       "access_keys": [{"number": number, "active": True,
                                                                        "last_rotated": "2024-01-01T00:00:00+00:00",
                                                                        "age_days": age}]}}
        run = evaluate_pack(pack, engine, {"cloud": {"resources": [user]}})
        (f,) = [f for f in run.findings if f.rule_id == "GUARD-AWS-IAM-005"]
        return _as_aws(f, {user["arn"]: user})

    today, tomorrow, other_key = finding(400), finding(401), finding(400, number=2)
    assert today.message != tomorrow.message and today.fingerprint == tomorrow.fingerprint
    assert other_key.fingerprint != today.fingerprint
    assert today.properties["key"] == "access key 1" and today.properties["account"] == "111122223333"
    engine.close()
