# METADATA
# title: Console users have MFA
# description: Every IAM user with a console password has an MFA device (credential report password_enabled and mfa_active).
# custom:
#   id: GUARD-AWS-IAM-004
#   severity: high
#   cwe: [CWE-308]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.4.2"]
#     iso27001: [A.8.5]
#     gdpr: [Art. 32]
#   rationale: Passwords alone are phished and reused; MFA is required for access to systems holding account data.
package guard.cloud.aws.iam.user_mfa

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_iam_user")
	r.attributes.password_enabled == true
	r.attributes.mfa_active == false
	violation := lib.result(r, sprintf("IAM user %s can sign in to the console without MFA", [r.attributes.user_name]))
}
