"""All collectors, by service name (the order is the order of the report)."""

from __future__ import annotations

from guard.cloud.collectors.base import Collector
from guard.cloud.collectors.cloudtrail import CloudTrailCollector
from guard.cloud.collectors.config import ConfigCollector
from guard.cloud.collectors.ec2 import Ec2Collector
from guard.cloud.collectors.guardduty import GuardDutyCollector
from guard.cloud.collectors.iam import IamCollector
from guard.cloud.collectors.kms import KmsCollector
from guard.cloud.collectors.logs import LogsCollector
from guard.cloud.collectors.rds import RdsCollector
from guard.cloud.collectors.s3 import S3Collector
from guard.cloud.collectors.secretsmanager import SecretsManagerCollector
from guard.cloud.collectors.securityhub import SecurityHubCollector


def all_collectors() -> dict[str, Collector]:
    collectors: list[Collector] = [IamCollector(), CloudTrailCollector(), S3Collector(), KmsCollector(),
                                   ConfigCollector(), GuardDutyCollector(), SecurityHubCollector(), RdsCollector(),
                                   Ec2Collector(), LogsCollector(), SecretsManagerCollector()]
    return {c.service: c for c in collectors}
