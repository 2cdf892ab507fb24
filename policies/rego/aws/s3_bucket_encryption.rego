# METADATA
# title: S3 buckets are encrypted by default
# description: Every bucket has a default server-side encryption configuration (SSE-S3 or SSE-KMS).
# custom:
#   id: GUARD-AWS-S3-003
#   severity: high
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["3.5.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Stored cardholder and personal data must be unreadable if storage media or backups are exposed.
package guard.cloud.aws.s3.bucket_encryption

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_s3_bucket")
	count(r.attributes.encryption) == 0
	violation := lib.result(r, sprintf("bucket %s has no default encryption", [r.attributes.name]))
}
