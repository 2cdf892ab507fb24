"""Secrets Manager (regional): secrets and their rotation settings."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class SecretsManagerCollector:
    service = "secretsmanager"
    scope = "regional"

    def collect(self, api: Api) -> None:
        api.pages("ListSecrets")

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        return [resource(s["ARN"], account, region, "aws_secretsmanager_secret", {
            "name": s.get("Name"), "rotation_enabled": bool(s.get("RotationEnabled")),
            "rotation_days": (s.get("RotationRules") or {}).get("AutomaticallyAfterDays"),
            "last_rotated": s.get("LastRotatedDate"), "kms_key_id": s.get("KmsKeyId"),
        }) for s in raw.items("ListSecrets", "SecretList")]
