# METADATA
# title: Secrets rotate automatically
# description: Every Secrets Manager secret has automatic rotation enabled.
# custom:
#   id: GUARD-AWS-SEC-001
#   severity: medium
#   cwe: [CWE-262]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.6.3"]
#     iso27001: [A.5.17]
#     gdpr: [Art. 32]
#   rationale: Application and system account credentials must change periodically so a leaked one stops working.
package guard.cloud.aws.secretsmanager.rotation

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_secretsmanager_secret")
	r.attributes.rotation_enabled != true
	violation := lib.result(r, sprintf("secret %s does not rotate automatically", [r.attributes.name]))
}
