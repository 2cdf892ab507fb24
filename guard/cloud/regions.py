"""Which regions to assess: the account's enabled regions (EC2 DescribeRegions), or `--regions`
checked against the account's opt-in status so a disabled region is reported, not silently empty."""

from __future__ import annotations

from dataclasses import dataclass

import botocore.exceptions

from guard.cloud.session import Account, CloudError

ENABLED = {"opt-in-not-required", "opted-in"}


@dataclass(frozen=True)
class RegionPlan:
    enabled: tuple[str, ...]
    disabled: dict[str, str]  # region -> why it is not assessed


def plan_regions(account: Account, requested: tuple[str, ...] | None, home_region: str) -> RegionPlan:
    ec2 = account.client("ec2", home_region)
    try:
        regions = ec2.describe_regions(AllRegions=True)["Regions"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        if requested:  # cannot check opt-in status: assess what was asked; a disabled region fails per call
            return RegionPlan(tuple(requested), {})
        raise CloudError(f"account {account.id}: cannot list regions (ec2 DescribeRegions): {exc}; "
                         f"pass --regions to name them") from None
    status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in regions}
    if not requested:
        return RegionPlan(tuple(sorted(r for r, s in status.items() if s in ENABLED)), {})
    enabled, disabled = [], {}
    for region in requested:
        if region not in status:
            disabled[region] = f"region {region} does not exist for account {account.id}"
        elif status[region] not in ENABLED:
            disabled[region] = f"region {region} is not enabled for account {account.id} (opt-in status {status[region]})"
        else:
            enabled.append(region)
    return RegionPlan(tuple(enabled), disabled)
