# METADATA
# title: The root user has MFA
# description: The account's root user has a multi-factor authentication device (credential report mfa_active, else account summary AccountMFAEnabled); unknown status fails.
# custom:
#   id: GUARD-AWS-IAM-002
#   severity: critical
#   cwe: [CWE-308]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.4.2"]
#     iso27001: [A.8.5]
#     gdpr: [Art. 32]
#   rationale: The root user can do anything, including closing the account; a password alone must never be enough.
package guard.cloud.aws.iam.root_mfa

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_iam_account")
	r.attributes.root.mfa_active == false
	violation := lib.result(r, sprintf("root user of account %s has no MFA device", [r.account]))
}

deny contains violation if {
	some r in lib.resources("aws_iam_account")
	object.get(r.attributes.root, "mfa_active", null) == null
	violation := lib.result(r, sprintf("IAM did not report whether the root user of account %s has MFA", [r.account]))
}
