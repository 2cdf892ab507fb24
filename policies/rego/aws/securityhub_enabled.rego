# METADATA
# title: Security Hub is enabled
# description: In every assessed region the account is subscribed to Security Hub.
# custom:
#   id: GUARD-AWS-SH-001
#   severity: medium
#   controls:
#     soc2: [CC3.1, CC4.1]
#     iso27001: [A.8.16]
#     gdpr: [Art. 32]
#   rationale: Continuous evaluation of controls and one place for findings is how deviations get noticed between audits.
package guard.cloud.aws.securityhub.enabled

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_securityhub_region")
	r.attributes.enabled != true
	violation := lib.result(r, sprintf("Security Hub is not enabled in region %s of account %s", [r.region, r.account]))
}
