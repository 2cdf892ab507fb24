# METADATA
# title: IAM password policy meets PCI DSS
# description: The account password policy requires at least 12 characters, blocks reuse of the last 4 passwords and expires passwords within 90 days.
# custom:
#   id: GUARD-IAM-003
#   severity: medium
#   files: [terraform]
#   cwe: [CWE-521]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.3.6", "8.3.7", "8.3.9"]
#     iso27001: [A.5.17]
#     gdpr: [Art. 32]
#   rationale: Short, reused or never-changing passwords are the easiest way in.
package guard.config.iam_password_policy

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_iam_account_password_policy")
	n := object.get(r.config, "minimum_password_length", 6)
	n < 12
	violation := lib.result(f, r, ["minimum_password_length"], sprintf("%s: minimum_password_length %v < 12", [r.address, n]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_iam_account_password_policy")
	n := object.get(r.config, "password_reuse_prevention", 0)
	n < 4
	violation := lib.result(f, r, ["password_reuse_prevention"], sprintf("%s: password_reuse_prevention %v < 4", [r.address, n]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_iam_account_password_policy")
	n := object.get(r.config, "max_password_age", 0)
	not valid_age(n)
	violation := lib.result(f, r, ["max_password_age"], sprintf("%s: passwords expire after %v days (want 1-90)", [r.address, n]))
}

valid_age(n) if {
	n >= 1
	n <= 90
}
