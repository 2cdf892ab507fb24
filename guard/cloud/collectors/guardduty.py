"""GuardDuty (regional): detectors and their status."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class GuardDutyCollector:
    service = "guardduty"
    scope = "regional"

    def collect(self, api: Api) -> None:
        for page in api.pages("ListDetectors"):
            for detector in page.get("DetectorIds") or []:
                api.call("GetDetector", key=detector, DetectorId=detector)

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        detectors = [{"id": d, "status": (raw.first("GetDetector", d) or {}).get("Status")}
                     for d in raw.items("ListDetectors", "DetectorIds")]
        return [resource(f"arn:aws:guardduty:{region}:{account}:account", account, region, "aws_guardduty_region",
                         {"detectors": detectors})]
