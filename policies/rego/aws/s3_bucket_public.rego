# METADATA
# title: S3 buckets are not public
# description: No bucket grants access to AllUsers or AuthenticatedUsers through its ACL, or has a public bucket policy, unless a bucket or account public access block neutralizes it.
# custom:
#   id: GUARD-AWS-S3-002
#   severity: critical
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.1, CC6.6]
#     pci-dss: ["1.4.1", "7.2.1"]
#     iso27001: [A.5.15, A.8.3]
#     gdpr: [Art. 25, Art. 32]
#   rationale: A public bucket publishes whatever lands in it, to anyone who guesses its name.
package guard.cloud.aws.s3.bucket_public

import rego.v1

import data.guard.cloud.aws.lib

public_groups := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

setting(r, name) if r.attributes.public_access_block[name] == true

setting(r, name) if r.attributes.account_public_access_block[name] == true

deny contains violation if {
	some r in lib.resources("aws_s3_bucket")
	some g in r.attributes.acl_grants
	g.uri in public_groups
	not setting(r, "IgnorePublicAcls")
	violation := lib.result(r, sprintf("bucket %s grants %s to %s", [r.attributes.name, g.permission, g.uri]))
}

deny contains violation if {
	some r in lib.resources("aws_s3_bucket")
	r.attributes.policy_is_public == true
	not setting(r, "RestrictPublicBuckets")
	violation := lib.result(r, sprintf("bucket %s has a public bucket policy", [r.attributes.name]))
}
