# METADATA
# title: S3 buckets log access
# description: Every bucket has server access logging to a target bucket.
# custom:
#   id: GUARD-AWS-S3-005
#   severity: medium
#   cwe: [CWE-778]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.2.1"]
#     iso27001: [A.8.15]
#     gdpr: [Art. 32]
#   rationale: Without access logs nobody can tell who read or changed the data.
package guard.cloud.aws.s3.bucket_logging

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_s3_bucket")
	object.get(r.attributes, "logging_target", null) in {null, ""}
	violation := lib.result(r, sprintf("bucket %s has no server access logging", [r.attributes.name]))
}
