# METADATA
# title: Console users must use MFA
# description: When IAM users get console passwords (aws_iam_user_login_profile), some IAM policy in the same configuration denies access without aws:MultiFactorAuthPresent.
# custom:
#   id: GUARD-IAM-002
#   severity: high
#   files: [terraform]
#   cwe: [CWE-308]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.4.2"]
#     iso27001: [A.8.5]
#     gdpr: [Art. 32]
#   rationale: Passwords alone are phished and reused; MFA is required for access to systems holding account data.
package guard.config.iam_mfa

import rego.v1

import data.guard.lib

mfa_enforced if {
	some type in ["aws_iam_policy", "aws_iam_group_policy", "aws_iam_user_policy", "aws_iam_role_policy"]
	some [_, r] in lib.tf_resources(type)
	contains(json.marshal(r.config), "aws:MultiFactorAuthPresent")
}

mfa_enforced if {
	some [_, r] in lib.tf_resources("aws_iam_policy_document")
	contains(json.marshal(r.config), "aws:MultiFactorAuthPresent")
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_iam_user_login_profile")
	not mfa_enforced
	violation := lib.result(f, r, [], sprintf("%s gives console access but no policy requires MFA", [r.address]))
}
