"""AWS Config (regional): configuration recorders and their status, rules and rule compliance."""

from __future__ import annotations

from guard.cloud.collectors.base import Api, Resource, resource
from guard.cloud.raw import RawView


class ConfigCollector:
    service = "config"
    scope = "regional"

    def collect(self, api: Api) -> None:
        api.call("DescribeConfigurationRecorders")
        api.call("DescribeConfigurationRecorderStatus")
        rules = [r for page in api.pages("DescribeConfigRules") for r in page.get("ConfigRules") or []]
        if rules:
            api.pages("DescribeComplianceByConfigRule")

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        status = {s.get("name"): s for s in raw.items("DescribeConfigurationRecorderStatus", "ConfigurationRecordersStatus")}
        recorders = [{"name": r.get("name"),
                      "all_supported": bool((r.get("recordingGroup") or {}).get("allSupported")),
                      "include_global_resource_types": bool((r.get("recordingGroup") or {}).get("includeGlobalResourceTypes")),
                      "recording": bool(status.get(r.get("name"), {}).get("recording")),
                      "last_status": status.get(r.get("name"), {}).get("lastStatus")}
                     for r in raw.items("DescribeConfigurationRecorders", "ConfigurationRecorders")]
        out = [resource(f"arn:aws:config:{region}:{account}:account", account, region, "aws_config_region",
                        {"recorders": recorders})]
        compliance = {c.get("ConfigRuleName"): (c.get("Compliance") or {}).get("ComplianceType")
                      for c in raw.items("DescribeComplianceByConfigRule", "ComplianceByConfigRules")}
        for rule in raw.items("DescribeConfigRules", "ConfigRules"):
            out.append(resource(rule["ConfigRuleArn"], account, region, "aws_config_rule", {
                "name": rule.get("ConfigRuleName"), "state": rule.get("ConfigRuleState"),
                "compliance": compliance.get(rule.get("ConfigRuleName")),
            }))
        return out
