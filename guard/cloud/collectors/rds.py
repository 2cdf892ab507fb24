"""RDS (regional): DB instances (storage encryption, backup retention, public accessibility)."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class RdsCollector:
    service = "rds"
    scope = "regional"

    def collect(self, api: Api) -> None:
        api.pages("DescribeDBInstances")

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        return [resource(db["DBInstanceArn"], account, region, "aws_rds_db_instance", {
            "identifier": db.get("DBInstanceIdentifier"), "engine": db.get("Engine"),
            "storage_encrypted": bool(db.get("StorageEncrypted")), "kms_key_id": db.get("KmsKeyId"),
            "backup_retention_period": db.get("BackupRetentionPeriod", 0),
            "publicly_accessible": bool(db.get("PubliclyAccessible")),
        }) for db in raw.items("DescribeDBInstances", "DBInstances")]
