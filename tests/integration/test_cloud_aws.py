"""`guard cloud aws` against moto's server on loopback: a planted account, exact findings and
control statuses, raw evidence, and AccessDenied on one service at the HTTP boundary."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import boto3
import pytest
from click.testing import CliRunner

from guard.cli import cli

ACCOUNT = "123456789012"
REGION = "us-east-1"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::good-bucket/*"}]}
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def aws_env() -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
                       "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": "/dev/null",
                       "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        mp.setenv(key, value)
    mp.delenv("AWS_PROFILE", raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="module")
def moto_url(aws_env: None) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer("127.0.0.1", port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class _DenyingProxy(BaseHTTPRequestHandler):
    """Forwards to moto, but answers AccessDenied for requests signed for one service."""

    upstream: tuple[str, int]
    faults: dict[str, tuple[int, str]] = {}  # service -> (HTTP status, error code) to answer instead of moto

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        scope = self.headers.get("Authorization", "").split("Credential=")[-1].split(",")[0].split("/")
        service = scope[3] if len(scope) > 3 else ""
        if service in self.faults:
            status, code = self.faults[service]
            payload = json.dumps({"__type": code, "message": f"User: arn:aws:iam::{ACCOUNT}:user/auditor "
                                  f"is not authorized to perform: {service}:* on resource: *"
                                  if status == 403 else "Rate exceeded"}).encode()
            self.send_response(status)
            self.send_header("x-amzn-ErrorType", code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def proxy(moto_url: str) -> Iterator[tuple[str, dict[str, tuple[int, str]]]]:
    """A proxy in front of moto and the faults it injects (set them in the test)."""
    host, port = moto_url.removeprefix("http://").split(":")
    faults: dict[str, tuple[int, str]] = {}
    handler = type("Handler", (_DenyingProxy,), {"upstream": (host, int(port)), "faults": faults})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", faults
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def account(moto_url: str) -> dict[str, str]:
    """Build the test account; return the ARNs of what was planted."""
    def client(name: str):  # type: ignore[no-untyped-def]
        return boto3.client(name, endpoint_url=moto_url, region_name=REGION)

    iam = client("iam")
    for user in ("alice", "bob"):
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Correct-Horse-9")
    iam.create_access_key(UserName="alice")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    admin = iam.create_policy(PolicyName="admin-all", PolicyDocument=json.dumps(ADMIN_DOC))["Policy"]["Arn"]
    iam.create_policy(PolicyName="read-good-bucket", PolicyDocument=json.dumps(READ_DOC))

    s3 = client("s3")
    s3.create_bucket(Bucket="public-bucket")
    s3.put_bucket_acl(Bucket="public-bucket", ACL="public-read")
    s3.create_bucket(Bucket="good-bucket")
    s3.put_public_access_block(Bucket="good-bucket", PublicAccessBlockConfiguration=ALL_BLOCKED)
    s3.put_bucket_encryption(Bucket="good-bucket", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_bucket_versioning(Bucket="good-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket="good-bucket", LifecycleConfiguration={
        "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 365}}]})
    s3.put_bucket_acl(Bucket="good-bucket", GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
                      GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
                      GrantFullControl=f"id={s3.list_buckets()['Owner']['ID']}")
    s3.put_bucket_logging(Bucket="good-bucket", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "good-bucket", "TargetPrefix": "access/"}})

    ec2 = client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    open_sg = ec2.create_security_group(GroupName="open-ssh", Description="ssh from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=open_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    web_sg = ec2.create_security_group(GroupName="web", Description="https", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    plain_vol = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1, Encrypted=False)["VolumeId"]
    kms = client("kms")
    lazy_key = kms.create_key(Description="no rotation")["KeyMetadata"]["Arn"]
    good_key = kms.create_key(Description="rotates")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=good_key)
    ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1, Encrypted=True, KmsKeyId=good_key)

    ct = client("cloudtrail")
    s3.create_bucket(Bucket="trail-logs")
    weak = ct.create_trail(Name="weak-trail", S3BucketName="trail-logs", IsMultiRegionTrail=True)["TrailARN"]
    ct.start_logging(Name="weak-trail")
    ct.create_trail(Name="good-trail", S3BucketName="trail-logs", IsMultiRegionTrail=True,
                    EnableLogFileValidation=True, KmsKeyId=good_key)
    ct.start_logging(Name="good-trail")

    client("securityhub").enable_security_hub()
    rds = client("rds")
    db = rds.create_db_instance(DBInstanceIdentifier="plain-db", DBInstanceClass="db.t3.micro", Engine="postgres",
                                MasterUsername="app", MasterUserPassword="password123", AllocatedStorage=20,
                                StorageEncrypted=False, PubliclyAccessible=True, BackupRetentionPeriod=0)["DBInstance"]["DBInstanceArn"]
    rds.create_db_instance(DBInstanceIdentifier="good-db", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="app", MasterUserPassword="password123", AllocatedStorage=20,
                           StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=7)

    logs = client("logs")
    logs.create_log_group(logGroupName="app-logs")
    logs.create_log_group(logGroupName="audit-logs")
    logs.put_retention_policy(logGroupName="audit-logs", retentionInDays=365)
    secret = client("secretsmanager").create_secret(Name="db-password", SecretString="hunter2")["ARN"]
    return {"admin_policy": admin, "open_sg": open_sg, "plain_vol": plain_vol, "lazy_key": lazy_key, "weak_trail": weak,
            "db": db, "secret": secret, "good_key": good_key}


def expected_findings(a: dict[str, str]) -> set[tuple[str, str]]:
    root, region = f"arn:aws:iam::{ACCOUNT}:root", f"{REGION}:{ACCOUNT}:account"
    public, logs = "arn:aws:s3:::public-bucket", "arn:aws:s3:::trail-logs"
    return {
        ("GUARD-AWS-IAM-001", root), ("GUARD-AWS-IAM-002", root),
        ("GUARD-AWS-IAM-004", f"arn:aws:iam::{ACCOUNT}:user/alice"), ("GUARD-AWS-IAM-006", a["admin_policy"]),
        ("GUARD-AWS-S3-001", f"arn:aws:s3::{ACCOUNT}:account"), ("GUARD-AWS-S3-002", public),
        *((f"GUARD-AWS-S3-00{n}", b) for n in (3, 4, 5, 6, 7) for b in (public, logs)),
        ("GUARD-AWS-EC2-001", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{a['open_sg']}"),
        ("GUARD-AWS-EC2-002", f"arn:aws:ec2:{region}"),
        ("GUARD-AWS-EC2-003", f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{a['plain_vol']}"),
        ("GUARD-AWS-KMS-001", a["lazy_key"]),
        ("GUARD-AWS-CT-002", a["weak_trail"]), ("GUARD-AWS-CT-003", a["weak_trail"]),
        ("GUARD-AWS-CFG-001", f"arn:aws:config:{region}"), ("GUARD-AWS-GD-001", f"arn:aws:guardduty:{region}"),
        ("GUARD-AWS-RDS-001", a["db"]), ("GUARD-AWS-RDS-002", a["db"]), ("GUARD-AWS-RDS-003", a["db"]),
        ("GUARD-AWS-LOG-001", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app-logs"),
        ("GUARD-AWS-SEC-001", a["secret"]),
    }


SOC2_FAILED = {"CC6.1", "CC6.3", "CC6.6", "CC6.7", "CC7.1", "CC7.2", "CC7.3", "A1.2", "C1.2"}
SOC2_PASSED = {"CC3.1", "CC4.1"}  # only Security Hub maps there, and it is enabled


def _run(endpoint: str, out: Path, *extra: str) -> tuple[int, dict, list[dict], str]:
    result = CliRunner().invoke(cli, ["cloud", "aws", "--endpoint-url", endpoint, "--regions", REGION,
                                      "--frameworks", "soc2", "--output", str(out), *extra])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    doc = json.loads((out / "findings.json").read_text())
    controls = json.loads((out / "controls.json").read_text())
    return result.exit_code, doc, controls, result.output


def test_planted_account_findings_controls_and_raw_evidence(account: dict[str, str], moto_url: str, tmp_path: Path) -> None:
    code, doc, controls, output = _run(moto_url, tmp_path / "out")
    assert code == 1, output  # critical findings, nothing unassessed
    found = {(f["rule_id"], f["resource"]) for f in doc["findings"]}
    assert found == expected_findings(account)
    for f in doc["findings"]:
        assert f["tool"] == "aws" and f["category"] == "cloud" and f["location"] is None
        assert f["controls"]["soc2"] and doc["rules"][f["rule"]]["controls"] == f["controls"]
    assert all(s["status"] == "ok" for s in doc["scanners"]), doc["scanners"]
    status = {c["control_id"]: c["status"] for c in controls if c["framework"] == "soc2"}
    assert {c for c, s in status.items() if s == "failed"} == SOC2_FAILED
    assert {c for c, s in status.items() if s == "passed"} == SOC2_PASSED
    public = next(c for c in controls if c["control_id"] == "CC6.6")
    assert len(public["failing"]) == 4  # open SSH, public RDS, public bucket, no account public access block
    assert "GUARD-AWS-EC2-001" in output and account["db"] in output
    raw = tmp_path / "out" / "raw" / "aws" / ACCOUNT
    acl = json.loads((raw / "global" / "s3" / "GetBucketAcl" / "public-bucket.json").read_text())
    assert acl["operation"] == "GetBucketAcl" and acl["params"] == {"Bucket": "public-bucket"}
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in acl["responses"][0]["Grants"])
    missing = json.loads((raw / "global" / "iam" / "GetAccountPasswordPolicy.json").read_text())
    assert missing["error"]["Error"]["Code"] == "NoSuchEntity"
    for service in ("cloudtrail", "config", "ec2", "guardduty", "kms", "logs", "rds", "secretsmanager", "securityhub"):
        assert list((raw / REGION / service).glob("*.json")), service
    resources = json.loads((tmp_path / "out" / "resources.json").read_text())["resources"]
    assert {r["arn"] for r in resources} >= {arn for _, arn in expected_findings(account)}
    assert all(set(r) == {"arn", "account", "region", "type", "attributes"} for r in resources)


def test_access_denied_on_one_service_is_not_assessed(account: dict[str, str], proxy, tmp_path: Path) -> None:
    endpoint, faults = proxy
    faults["guardduty"] = (403, "AccessDeniedException")
    code, doc, controls, output = _run(endpoint, tmp_path / "denied")
    assert code == 2
    assert {(f["rule_id"], f["resource"]) for f in doc["findings"]} == \
        {f for f in expected_findings(account) if f[0] != "GUARD-AWS-GD-001"}
    runs = {s["scanner"]: s for s in doc["scanners"]}
    assert runs["aws-guardduty"]["status"] == "error"
    assert "access denied: AccessDeniedException" in runs["aws-guardduty"]["reason"]
    assert [r["id"] for r in runs["aws-guardduty"]["checks"]] == ["GUARD-AWS-GD-001"]
    assert all(s["status"] == "ok" for name, s in runs.items() if name != "aws-guardduty")
    status = {c["control_id"]: c for c in controls}
    assert status["CC7.3"]["status"] == "not assessed" and "aws-guardduty error" in status["CC7.3"]["note"]
    assert status["CC7.2"]["status"] == "failed"  # other checks still failed it
    assert "not assessed: aws-guardduty" in output
    code, _, _, _ = _run(endpoint, tmp_path / "partial", "--allow-partial")
    assert code == 1  # findings still fail the run; the unassessed service alone does not


def test_throttling_after_retries_is_not_assessed(account: dict[str, str], proxy, tmp_path: Path) -> None:
    endpoint, faults = proxy
    faults["logs"] = (400, "ThrottlingException")
    code, doc, _, _ = _run(endpoint, tmp_path / "throttled", "--max-attempts", "2", "--services", "logs,secretsmanager")
    assert code == 2
    runs = {s["scanner"]: s for s in doc["scanners"]}
    assert runs["aws-logs"]["status"] == "error"
    assert "throttled after 2 attempt(s)" in runs["aws-logs"]["reason"]
    assert {f["rule_id"] for f in doc["findings"]} == {"GUARD-AWS-SEC-001"}


def test_region_not_enabled_is_not_assessed(account: dict[str, str], moto_url: str, tmp_path: Path) -> None:
    code, doc, _, output = _run(moto_url, tmp_path / "optin", "--regions", f"{REGION},ap-east-1", "--services", "kms")
    assert code == 2
    run = next(s for s in doc["scanners"] if s["scanner"] == "aws-kms")
    assert run["status"] == "error" and "region ap-east-1 is not enabled" in run["reason"]
    assert {(f["rule_id"], f["resource"]) for f in doc["findings"]} == {("GUARD-AWS-KMS-001", account["lazy_key"])}


def test_raw_responses_go_into_the_evidence_bundle(account: dict[str, str], moto_url: str, tmp_path: Path) -> None:
    import hashlib

    store = tmp_path / "evidence"
    code, doc, _, _ = _run(moto_url, tmp_path / "out", "--services", "s3,ec2", "--evidence", str(store))
    assert code == 1
    (run_dir,) = (store / "runs").iterdir()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert {t["name"] for t in manifest["tools"]} == {"aws-s3", "aws-ec2"}
    stored = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (run_dir / "raw").rglob("*.json")}
    collected = list((tmp_path / "out" / "raw").rglob("*.json"))
    assert len(collected) == sum(len(s["raw_outputs"]) for s in doc["scanners"]) > 20
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in collected} <= stored
    bundled = json.loads((run_dir / "findings.json").read_text())
    assert {(f["rule_id"], f["resource"]) for f in bundled["findings"]} == \
        {f for f in expected_findings(account) if f[0].startswith(("GUARD-AWS-S3", "GUARD-AWS-EC2"))}


def test_assume_role_into_several_accounts(account: dict[str, str], moto_url: str, tmp_path: Path) -> None:
    roles = [f"arn:aws:iam::{a}:role/guard-audit" for a in ("111111111111", "222222222222")]
    code, doc, _, _ = _run(moto_url, tmp_path / "org", "--services", "iam", "--role-arn", roles[0], "--role-arn", roles[1])
    assert code == 1
    assert doc["properties"]["cloud"]["accounts"] == ["111111111111", "222222222222"]
    found = {(f["rule_id"], f["resource"]) for f in doc["findings"]}
    for a in ("111111111111", "222222222222"):
        assert ("GUARD-AWS-IAM-001", f"arn:aws:iam::{a}:root") in found
        assert (tmp_path / "org" / "raw" / "aws" / a / "global" / "iam" / "GetAccountSummary.json").is_file()
    assert not any(ACCOUNT in arn for _, arn in found)  # the caller's own account was not assessed


def test_default_regions_are_the_enabled_ones(moto_url: str) -> None:
    from guard.cloud.regions import plan_regions
    from guard.cloud.session import open_accounts

    (acct,) = open_accounts(endpoint_url=moto_url, max_attempts=2)
    plan = plan_regions(acct, None, REGION)
    optin = {r["RegionName"]: r["OptInStatus"] for r in
             acct.client("ec2", REGION).describe_regions(AllRegions=True)["Regions"]}
    assert REGION in plan.enabled and "ap-east-1" not in plan.enabled and optin["ap-east-1"] == "not-opted-in"
    assert set(plan.enabled) == {r for r, s in optin.items() if s != "not-opted-in"}


def test_unknown_profile_is_a_usage_error(aws_env: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["cloud", "aws", "--profile", "no-such-profile", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "no-such-profile" in result.output


def test_config_rules_need_the_compliance_call_moto_lacks(aws_env: None, moto_url: str, tmp_path: Path) -> None:
    """moto 5.2 does not implement DescribeComplianceByConfigRule: with a rule present the config
    checks are "not assessed" (fail closed) rather than judged on the rule list alone."""
    other = "333333333333"
    creds = boto3.client("sts", endpoint_url=moto_url, region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{other}:role/setup", RoleSessionName="setup")["Credentials"]
    config = boto3.client("config", endpoint_url=moto_url, region_name=REGION, aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    config.put_config_rule(ConfigRule={"ConfigRuleName": "s3-versioning",
                                       "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    code, doc, _, _ = _run(moto_url, tmp_path / "cfg", "--services", "config", "--max-attempts", "1",
                           "--role-arn", f"arn:aws:iam::{other}:role/guard-audit")
    assert code == 2
    (run,) = doc["scanners"]
    assert run["status"] == "error" and "config:DescribeComplianceByConfigRule" in run["reason"]
    assert doc["findings"] == []
    rules = json.loads((tmp_path / "cfg" / "raw" / "aws" / other / REGION / "config" / "DescribeConfigRules.json").read_text())
    assert rules["responses"][0]["ConfigRules"][0]["ConfigRuleName"] == "s3-versioning"
