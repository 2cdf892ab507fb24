# METADATA
# title: AWS Config rules are compliant
# description: No AWS Config rule reports NON_COMPLIANT resources.
# custom:
#   id: GUARD-AWS-CFG-002
#   severity: medium
#   controls:
#     soc2: [CC7.1]
#     pci-dss: ["2.2"]
#     iso27001: [A.8.9]
#   rationale: A rule the organization chose to enforce that is failing is a known, open deviation.
package guard.cloud.aws.config.rule_compliance

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_config_rule")
	r.attributes.compliance == "NON_COMPLIANT"
	violation := lib.result(r, sprintf("AWS Config rule %s is NON_COMPLIANT", [r.attributes.name]))
}
