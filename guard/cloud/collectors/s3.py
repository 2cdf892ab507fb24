"""S3 (global listing): the account's public access block, and per bucket its location, ACL,
policy status, public access block, default encryption, versioning, lifecycle and logging."""

from __future__ import annotations

from typing import Any

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView

NO_POLICY = ("NoSuchBucketPolicy",)
NO_PAB = ("NoSuchPublicAccessBlockConfiguration",)
BUCKET_CALLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("GetBucketLocation", ()),
    ("GetBucketAcl", ()),
    ("GetBucketPolicyStatus", NO_POLICY),
    ("GetPublicAccessBlock", NO_PAB),
    ("GetBucketEncryption", ("ServerSideEncryptionConfigurationNotFoundError",)),
    ("GetBucketVersioning", ()),
    ("GetBucketLifecycleConfiguration", ("NoSuchLifecycleConfiguration",)),
    ("GetBucketLogging", ()),
)


class S3Collector:
    service = "s3"
    scope = "global"

    def collect(self, api: Api) -> None:
        api.call("GetPublicAccessBlock", service="s3control", absent=NO_PAB, AccountId=api.account.id)
        for page in api.pages("ListBuckets"):
            for bucket in page.get("Buckets") or []:
                for operation, absent in BUCKET_CALLS:
                    api.call(operation, key=bucket["Name"], absent=absent, Bucket=bucket["Name"])

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        account_pab = (raw.first("s3control.GetPublicAccessBlock") or {}).get("PublicAccessBlockConfiguration")
        out = [resource(f"arn:aws:s3::{account}:account", account, region, "aws_s3_account",
                        {"public_access_block": account_pab})]
        for bucket in raw.items("ListBuckets", "Buckets"):
            name = bucket["Name"]

            def first(op: str) -> dict[str, Any]:
                return raw.first(op, name) or {}

            encryption = first("GetBucketEncryption").get("ServerSideEncryptionConfiguration")
            logging = first("GetBucketLogging").get("LoggingEnabled")
            out.append(resource(f"arn:aws:s3:::{name}", account, first("GetBucketLocation").get("LocationConstraint") or "us-east-1",
                                "aws_s3_bucket", {
                "name": name,
                "public_access_block": first("GetPublicAccessBlock").get("PublicAccessBlockConfiguration"),
                "account_public_access_block": account_pab,
                "acl_grants": [{"grantee_type": g.get("Grantee", {}).get("Type"), "uri": g.get("Grantee", {}).get("URI"),
                                "permission": g.get("Permission")} for g in first("GetBucketAcl").get("Grants") or []],
                "policy_is_public": bool(first("GetBucketPolicyStatus").get("PolicyStatus", {}).get("IsPublic")),
                "encryption": [r.get("ApplyServerSideEncryptionByDefault", {}) for r in (encryption or {}).get("Rules") or []],
                "versioning": first("GetBucketVersioning").get("Status"),
                "mfa_delete": first("GetBucketVersioning").get("MFADelete"),
                "lifecycle_rules": len(first("GetBucketLifecycleConfiguration").get("Rules") or []),
                "logging_target": (logging or {}).get("TargetBucket"),
            }))
        return out
