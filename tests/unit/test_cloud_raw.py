"""Raw evidence files and the session helpers: what is stored is what botocore returned."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from guard.cloud.collectors.ec2 import _permission
from guard.cloud.collectors.iam import _age, _statements
from guard.cloud.raw import RawStore, safe_name
from guard.cloud.session import _drop_account_host_prefix, retry_config


def record(operation: str, **extra):
    return {"operation": operation, "service": "s3", "account": "111122223333", "region": "global",
            "params": {}, "collected_at": "2026-01-02T03:04:05+00:00", **extra}


def test_store_and_view_round_trip(tmp_path):
    store = RawStore(tmp_path)
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    store.write(record("ListBuckets", responses=[{"Buckets": [{"Name": "a", "CreationDate": when}]},
                                                 {"Buckets": [{"Name": "b", "CreationDate": when}]}]))
    store.write(record("GetBucketEncryption", params={"Bucket": "a/b"},
                       error={"Error": {"Code": "ServerSideEncryptionConfigurationNotFoundError", "Message": "m"}}),
                key="a/b")
    store.write(record("GetCredentialReport", responses=[{"Content": b"user,arn\n"}, {"Content": b"\xff\xfe"}]))
    path = tmp_path / "aws" / "111122223333" / "global" / "s3" / "ListBuckets.json"
    assert json.loads(path.read_text())["responses"][0]["Buckets"][0]["CreationDate"] == "2026-01-02T03:04:05+00:00"
    view = store.view("111122223333", "global", "s3")
    assert [b["Name"] for b in view.items("ListBuckets", "Buckets")] == ["a", "b"]
    assert view.first("GetBucketEncryption", "a/b") is None
    assert view.error_code("GetBucketEncryption", "a/b") == "ServerSideEncryptionConfigurationNotFoundError"
    assert [params for params, _ in view.keyed("GetBucketEncryption")] == [{"Bucket": "a/b"}]
    assert view.pages("GetCredentialReport") == [{"Content": "user,arn\n"}, {"Content": {"base64": "//4="}}]
    assert view.collected_at() == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert len(store.files) == 3


def test_safe_names():
    assert safe_name("arn:aws:cloudtrail:us-east-1:1:trail/t") == "arn_aws_cloudtrail_us-east-1_1_trail_t"
    assert safe_name("..") == "_"


def test_endpoint_mode_drops_the_s3_control_account_host():
    request = SimpleNamespace(url="http://111122223333.127.0.0.1:5000/v20180820/configuration/publicAccessBlock")
    _drop_account_host_prefix(request)
    assert request.url == "http://127.0.0.1:5000/v20180820/configuration/publicAccessBlock"
    other = SimpleNamespace(url="http://127.0.0.1:5000/x")
    _drop_account_host_prefix(other)
    assert other.url == "http://127.0.0.1:5000/x"


def test_adaptive_retries():
    assert retry_config(3).retries == {"mode": "adaptive", "total_max_attempts": 3}


def test_policy_statements_are_lists_whatever_the_document_spelling():
    doc = {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    assert _statements(doc) == [{"effect": "Allow", "actions": ["*"], "not_actions": [], "resources": ["*"],
                                 "has_condition": False}]


def test_key_age_is_measured_at_collection():
    now = dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)
    assert _age("2026-01-01T00:00:00+00:00", now) == 90
    assert _age("N/A", now) is None


def test_all_traffic_permission():
    assert _permission({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": []}) == {
        "protocol": "-1", "from_port": None, "to_port": None, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": []}
