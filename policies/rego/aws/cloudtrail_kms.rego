# METADATA
# title: CloudTrail logs are encrypted with KMS
# description: Every trail (in its home region) encrypts its log files with a KMS key (SSE-KMS).
# custom:
#   id: GUARD-AWS-CT-003
#   severity: medium
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["10.3.2"]
#     iso27001: [A.8.15, A.8.24]
#     gdpr: [Art. 32]
#   rationale: A KMS key adds an access decision and an audit record for every read of the audit logs.
package guard.cloud.aws.cloudtrail.kms

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_cloudtrail_trail")
	object.get(r.attributes, "kms_key_id", null) in {null, ""}
	violation := lib.result(r, sprintf("trail %s does not encrypt logs with a KMS key", [r.attributes.name]))
}
