# METADATA
# title: The root user has no access keys
# description: The root user has no active access key (credential report access_key_N_active, else account summary AccountAccessKeysPresent); unknown status fails.
# custom:
#   id: GUARD-AWS-IAM-003
#   severity: critical
#   cwe: [CWE-250]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["7.2.2"]
#     iso27001: [A.8.2]
#     gdpr: [Art. 32]
#   rationale: A root access key is an unrestricted, long-lived credential that cannot be limited by IAM policy.
package guard.cloud.aws.iam.root_access_keys

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_iam_account")
	r.attributes.root.access_keys_present == true
	violation := lib.result(r, sprintf("root user of account %s has an active access key", [r.account]))
}

deny contains violation if {
	some r in lib.resources("aws_iam_account")
	object.get(r.attributes.root, "access_keys_present", null) == null
	violation := lib.result(r, sprintf("IAM did not report whether the root user of account %s has access keys", [r.account]))
}
