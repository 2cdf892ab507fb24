# METADATA
# title: No customer managed policy grants full administrative access
# description: No IAM customer managed policy has a statement that allows Action "*" on Resource "*" without conditions.
# custom:
#   id: GUARD-AWS-IAM-006
#   severity: high
#   cwe: [CWE-269]
#   controls:
#     soc2: [CC6.3]
#     pci-dss: ["7.2.1", "7.2.2"]
#     iso27001: [A.5.15, A.8.2]
#     gdpr: [Art. 25]
#   rationale: Least privilege limits what a stolen credential or a compromised workload can do.
package guard.cloud.aws.iam.admin_policy

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_iam_policy")
	some s in r.attributes.statements
	s.effect == "Allow"
	"*" in s.actions
	"*" in s.resources
	not s.has_condition
	violation := lib.result(r, sprintf("IAM policy %s allows *:* (attached %v time(s))", [r.attributes.name, r.attributes.attachment_count]))
}
