# METADATA
# title: S3 buckets log access
# description: Every S3 bucket has server access logging, inline or through aws_s3_bucket_logging.
# custom:
#   id: GUARD-S3-003
#   severity: medium
#   files: [terraform, cloudformation]
#   cwe: [CWE-778]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.2.1"]
#     iso27001: [A.8.15]
#     gdpr: [Art. 32]
#   rationale: Without access logs nobody can tell who read or changed stored data.
package guard.config.s3_access_logging

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_s3_bucket")
	not r.config.logging
	not lib.tf_referenced(f.dir, "aws_s3_bucket_logging", "bucket", r.address)
	violation := lib.result(f, r, [], sprintf("S3 bucket %s has no access logging", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::S3::Bucket")
	not r.config.LoggingConfiguration
	violation := lib.result(f, r, [], sprintf("S3 bucket %s has no LoggingConfiguration", [r.name]))
}
