# METADATA
# title: Access keys are rotated within 90 days
# description: No active IAM user access key was last rotated more than 90 days before collection.
# custom:
#   id: GUARD-AWS-IAM-005
#   severity: medium
#   cwe: [CWE-324]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.6.3"]
#     iso27001: [A.5.17]
#     gdpr: [Art. 32]
#   rationale: Long-lived keys leak through laptops, logs and repositories; rotation bounds how long a leaked key works.
package guard.cloud.aws.iam.access_key_age

import rego.v1

import data.guard.cloud.aws.lib

max_age_days := 90

deny contains violation if {
	some r in lib.resources("aws_iam_user")
	some k in r.attributes.access_keys
	k.active == true
	is_number(k.age_days)
	k.age_days > max_age_days
	violation := lib.keyed_result(
		r, sprintf("access key %v", [k.number]),
		sprintf("access key %v of IAM user %s is %v days old", [k.number, r.attributes.user_name, k.age_days]),
	)
}
