# METADATA
# title: S3 buckets expire data
# description: Every S3 bucket has a lifecycle configuration, so stored objects are expired or archived instead of kept forever.
# custom:
#   id: GUARD-S3-004
#   severity: low
#   files: [terraform, cloudformation]
#   controls:
#     soc2: [C1.2]
#     pci-dss: ["3.2.1"]
#     iso27001: [A.8.10]
#     gdpr: [Art. 5]
#   rationale: GDPR's storage limitation principle and PCI DSS retention limits require data to be deleted when no longer needed.
package guard.config.s3_lifecycle

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_s3_bucket")
	not r.config.lifecycle_rule
	not lib.tf_referenced(f.dir, "aws_s3_bucket_lifecycle_configuration", "bucket", r.address)
	violation := lib.result(f, r, [], sprintf("S3 bucket %s has no lifecycle rule", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::S3::Bucket")
	not r.config.LifecycleConfiguration
	violation := lib.result(f, r, [], sprintf("S3 bucket %s has no LifecycleConfiguration", [r.name]))
}
