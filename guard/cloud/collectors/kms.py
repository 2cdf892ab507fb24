"""KMS (regional): every key's metadata, and rotation status of enabled customer managed
symmetric keys (the only keys AWS rotates automatically)."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class KmsCollector:
    service = "kms"
    scope = "regional"

    def collect(self, api: Api) -> None:
        for page in api.pages("ListKeys"):
            for key in page.get("Keys") or []:
                meta = (api.call("DescribeKey", key=key["KeyId"], KeyId=key["KeyId"]) or {}).get("KeyMetadata") or {}
                if meta.get("KeyManager") == "CUSTOMER" and meta.get("KeyState") == "Enabled" \
                        and meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" and meta.get("Origin") == "AWS_KMS":
                    api.call("GetKeyRotationStatus", key=key["KeyId"], KeyId=key["KeyId"],
                             absent=("UnsupportedOperationException", "KMSInvalidStateException"))

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        out = []
        for key in raw.items("ListKeys", "Keys"):
            meta = (raw.first("DescribeKey", key["KeyId"]) or {}).get("KeyMetadata") or {}
            rotation = raw.first("GetKeyRotationStatus", key["KeyId"])
            out.append(resource(key["KeyArn"], account, region, "aws_kms_key", {
                "key_id": key["KeyId"], "key_manager": meta.get("KeyManager"), "key_state": meta.get("KeyState"),
                "key_spec": meta.get("KeySpec"), "origin": meta.get("Origin"),
                "rotation_enabled": None if rotation is None else bool(rotation.get("KeyRotationEnabled")),
            }))
        return out
