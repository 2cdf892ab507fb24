# METADATA
# title: IAM password policy meets PCI DSS
# description: The account has a password policy requiring at least 12 characters, preventing reuse of the last 4 passwords and expiring passwords within 90 days.
# custom:
#   id: GUARD-AWS-IAM-001
#   severity: medium
#   cwe: [CWE-521]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.3.6"]
#     iso27001: [A.5.17]
#     gdpr: [Art. 32]
#   rationale: Short, reused or never-changing passwords are the easiest way into the console.
package guard.cloud.aws.iam.password_policy

import rego.v1

import data.guard.cloud.aws.lib

problems(p) := [m |
	some [ok, m] in [
		[object.get(p, "MinimumPasswordLength", 0) >= 12, "minimum length below 12"],
		[object.get(p, "PasswordReusePrevention", 0) >= 4, "reuse of the last 4 passwords allowed"],
		[expires(p), "passwords do not expire within 90 days"],
	]
	not ok
]

expires(p) if {
	p.ExpirePasswords == true
	object.get(p, "MaxPasswordAge", 0) > 0
	p.MaxPasswordAge <= 90
}

deny contains violation if {
	some r in lib.resources("aws_iam_account")
	r.attributes.password_policy == null
	violation := lib.result(r, sprintf("account %s has no IAM password policy", [r.account]))
}

deny contains violation if {
	some r in lib.resources("aws_iam_account")
	r.attributes.password_policy != null
	count(problems(r.attributes.password_policy)) > 0
	violation := lib.result(r, sprintf("account %s password policy: %s", [r.account, concat(", ", problems(r.attributes.password_policy))]))
}
