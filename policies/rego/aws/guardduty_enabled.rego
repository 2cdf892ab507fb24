# METADATA
# title: GuardDuty is enabled
# description: In every assessed region GuardDuty has a detector whose status is ENABLED.
# custom:
#   id: GUARD-AWS-GD-001
#   severity: high
#   cwe: [CWE-778]
#   controls:
#     soc2: [CC7.2, CC7.3]
#     pci-dss: ["11.5"]
#     iso27001: [A.8.16]
#     gdpr: [Art. 32]
#   rationale: Threat detection turns API, DNS and flow logs into alerts someone can act on.
package guard.cloud.aws.guardduty.enabled

import rego.v1

import data.guard.cloud.aws.lib

enabled(r) if {
	some d in r.attributes.detectors
	d.status == "ENABLED"
}

deny contains violation if {
	some r in lib.resources("aws_guardduty_region")
	not enabled(r)
	violation := lib.result(r, sprintf("GuardDuty is not enabled in region %s of account %s", [r.region, r.account]))
}
