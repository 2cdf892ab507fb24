"""EC2 (regional): security groups, EBS encryption by default, volumes."""

from __future__ import annotations

from typing import Any

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class Ec2Collector:
    service = "ec2"
    scope = "regional"

    def collect(self, api: Api) -> None:
        api.pages("DescribeSecurityGroups")
        api.call("GetEbsEncryptionByDefault")
        api.pages("DescribeVolumes")

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        out = [resource(f"arn:aws:ec2:{region}:{account}:account", account, region, "aws_ec2_region", {
            "ebs_encryption_by_default": bool((raw.first("GetEbsEncryptionByDefault") or {}).get("EbsEncryptionByDefault")),
        })]
        for sg in raw.items("DescribeSecurityGroups", "SecurityGroups"):
            arn = sg.get("SecurityGroupArn") or f"arn:aws:ec2:{region}:{account}:security-group/{sg['GroupId']}"
            out.append(resource(arn, account, region, "aws_ec2_security_group", {
                "group_id": sg["GroupId"], "name": sg.get("GroupName"), "vpc_id": sg.get("VpcId"),
                "ingress": [_permission(p) for p in sg.get("IpPermissions") or []],
            }))
        for vol in raw.items("DescribeVolumes", "Volumes"):
            out.append(resource(f"arn:aws:ec2:{region}:{account}:volume/{vol['VolumeId']}", account, region, "aws_ec2_volume", {
                "volume_id": vol["VolumeId"], "encrypted": bool(vol.get("Encrypted")), "state": vol.get("State"),
                "attached_to": [a.get("InstanceId") for a in vol.get("Attachments") or []],
            }))
        return out


def _permission(p: dict[str, Any]) -> dict[str, Any]:
    """One ingress permission; protocol "-1" means all protocols and ports."""
    return {"protocol": str(p.get("IpProtocol")), "from_port": p.get("FromPort"), "to_port": p.get("ToPort"),
            "cidrs": [r["CidrIp"] for r in p.get("IpRanges") or [] if "CidrIp" in r],
            "ipv6_cidrs": [r["CidrIpv6"] for r in p.get("Ipv6Ranges") or [] if "CidrIpv6" in r]}
