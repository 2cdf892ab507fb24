# METADATA
# title: The root user has no access keys
# description: Neither of the root user's access keys is active (credential report access_key_1_active / access_key_2_active).
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

deny contains lib.result(r, sprintf("root user of account %s has an active access key", [r.account])) if {
	some r in lib.resources("aws_iam_account")
	some k in ["access_key_1_active", "access_key_2_active"]
	r.attributes.root[k] == true
}
