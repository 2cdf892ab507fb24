# METADATA
# title: S3 buckets keep object versions
# description: Every bucket has versioning enabled.
# custom:
#   id: GUARD-AWS-S3-004
#   severity: medium
#   controls:
#     soc2: [A1.2]
#     iso27001: [A.8.13]
#     gdpr: [Art. 32]
#   rationale: Versions let overwritten or deleted objects be restored after a mistake or ransomware.
package guard.cloud.aws.s3.bucket_versioning

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_s3_bucket")
	r.attributes.versioning != "Enabled"
	violation := lib.result(r, sprintf("bucket %s does not keep versions (status %v)", [r.attributes.name, r.attributes.versioning]))
}
