"""Security Hub (regional): whether the account is subscribed (DescribeHub answers
InvalidAccessException when it is not)."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class SecurityHubCollector:
    service = "securityhub"
    scope = "regional"

    def collect(self, api: Api) -> None:
        api.call("DescribeHub", absent=("InvalidAccessException",))

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        hub = raw.first("DescribeHub")
        return [resource(f"arn:aws:securityhub:{region}:{account}:account", account, region, "aws_securityhub_region",
                         {"enabled": hub is not None, "hub_arn": (hub or {}).get("HubArn"),
                          "subscribed_at": (hub or {}).get("SubscribedAt")})]
