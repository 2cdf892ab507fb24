# METADATA
# title: S3 buckets expire data
# description: Every bucket has at least one lifecycle rule, so objects are expired or archived instead of kept forever.
# custom:
#   id: GUARD-AWS-S3-006
#   severity: low
#   controls:
#     soc2: [C1.2]
#     pci-dss: ["3.2"]
#     iso27001: [A.8.10]
#     gdpr: [Art. 5]
#   rationale: GDPR's storage limitation principle and PCI DSS retention limits require data to be deleted when no longer needed.
package guard.cloud.aws.s3.bucket_lifecycle

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_s3_bucket")
	r.attributes.lifecycle_rules == 0
	violation := lib.result(r, sprintf("bucket %s has no lifecycle rules", [r.attributes.name]))
}
