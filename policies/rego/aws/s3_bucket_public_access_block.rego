# METADATA
# title: S3 buckets are covered by a public access block
# description: Each bucket has all four public access block settings on, at bucket or account level.
# custom:
#   id: GUARD-AWS-S3-007
#   severity: medium
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["1.4.1"]
#     iso27001: [A.8.3]
#     gdpr: [Art. 25]
#   rationale: Without a public access block, the next ACL or policy change can make the bucket public.
package guard.cloud.aws.s3.bucket_public_access_block

import rego.v1

import data.guard.cloud.aws.lib

blocked(r) if lib.blocks_all(r.attributes.public_access_block)

blocked(r) if lib.blocks_all(r.attributes.account_public_access_block)

deny contains violation if {
	some r in lib.resources("aws_s3_bucket")
	not blocked(r)
	violation := lib.result(r, sprintf("bucket %s is not covered by a full public access block", [r.attributes.name]))
}
