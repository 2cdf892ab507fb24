# METADATA
# title: Every region is recorded by a logging multi-region trail
# description: In every assessed region, CloudTrail shows at least one multi-region trail (its own or a shadow copy) that is logging.
# custom:
#   id: GUARD-AWS-CT-001
#   severity: high
#   cwe: [CWE-778]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.2.1"]
#     iso27001: [A.8.15, A.8.16]
#     gdpr: [Art. 30, Art. 32]
#   rationale: API activity in a region that no trail records cannot be investigated.
package guard.cloud.aws.cloudtrail.multi_region

import rego.v1

import data.guard.cloud.aws.lib

covered(r) if {
	some t in r.attributes.trails
	t.multi_region == true
	t.is_logging == true
}

deny contains violation if {
	some r in lib.resources("aws_cloudtrail_region")
	not covered(r)
	violation := lib.result(r, sprintf("region %s of account %s is not recorded by a logging multi-region trail", [r.region, r.account]))
}
