# METADATA
# title: S3 buckets are encrypted at rest
# description: Every S3 bucket has default server-side encryption (SSE-S3 or SSE-KMS), configured inline or through aws_s3_bucket_server_side_encryption_configuration.
# custom:
#   id: GUARD-S3-001
#   severity: high
#   files: [terraform, cloudformation]
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["3.5.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Stored cardholder and personal data must be unreadable if storage media or backups are exposed.
package guard.config.s3_encryption

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_s3_bucket")
	not r.config.server_side_encryption_configuration
	not lib.tf_referenced(f.dir, "aws_s3_bucket_server_side_encryption_configuration", "bucket", r.address)
	violation := lib.result(f, r, [], sprintf("S3 bucket %s has no default encryption", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::S3::Bucket")
	not r.config.BucketEncryption
	violation := lib.result(f, r, [], sprintf("S3 bucket %s has no BucketEncryption", [r.name]))
}
