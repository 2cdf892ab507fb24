"""CloudTrail (regional): trails visible in the region (shadow copies of multi-region trails
included) and each trail's logging status."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class CloudTrailCollector:
    service = "cloudtrail"
    scope = "regional"

    def collect(self, api: Api) -> None:
        trails = api.call("DescribeTrails", includeShadowTrails=True) or {}
        for trail in trails.get("trailList") or []:
            api.call("GetTrailStatus", key=trail["TrailARN"], Name=trail["TrailARN"])

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        status = {params.get("Name"): (rec.get("responses") or [{}])[0] for params, rec in raw.keyed("GetTrailStatus")}
        trails = []
        out = []
        for t in raw.items("DescribeTrails", "trailList"):
            item = {"arn": t["TrailARN"], "name": t.get("Name"), "home_region": t.get("HomeRegion"),
                    "multi_region": bool(t.get("IsMultiRegionTrail")),
                    "log_file_validation": bool(t.get("LogFileValidationEnabled")),
                    "kms_key_id": t.get("KmsKeyId"), "s3_bucket": t.get("S3BucketName"),
                    "is_logging": status.get(t["TrailARN"], {}).get("IsLogging")}
            trails.append(item)
            if t.get("HomeRegion") == region:
                out.append(resource(t["TrailARN"], account, region, "aws_cloudtrail_trail",
                                    {k: v for k, v in item.items() if k != "arn"}))
        out.append(resource(f"arn:aws:cloudtrail:{region}:{account}:account", account, region, "aws_cloudtrail_region",
                            {"trails": trails}))
        return out
