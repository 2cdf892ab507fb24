"""CloudWatch Logs (regional): log groups and their retention."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class LogsCollector:
    service = "logs"
    scope = "regional"

    def collect(self, api: Api) -> None:
        api.pages("DescribeLogGroups")

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        out = []
        for group in raw.items("DescribeLogGroups", "logGroups"):
            arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
            out.append(resource(arn, account, region, "aws_logs_log_group", {
                "name": group.get("logGroupName"), "retention_in_days": group.get("retentionInDays"),
                "kms_key_id": group.get("kmsKeyId"),
            }))
        return out
