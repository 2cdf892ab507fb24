# METADATA
# title: S3 buckets are not public
# description: No S3 bucket grants public ACLs, and public access blocks keep all four protections on.
# custom:
#   id: GUARD-S3-002
#   severity: critical
#   files: [terraform, cloudformation]
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.1, CC6.6]
#     pci-dss: ["1.4.4", "7.2.1"]
#     iso27001: [A.5.15, A.8.3]
#     gdpr: [Art. 32, Art. 25]
#   rationale: A public bucket exposes whatever lands in it to the internet; stored account and personal data must not be reachable from untrusted networks.
package guard.config.s3_public_access

import rego.v1

import data.guard.lib

public_acls := {"public-read", "public-read-write", "authenticated-read", "PublicRead", "PublicReadWrite", "AuthenticatedRead"}

block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

cfn_block_settings := ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_s3_bucket")
	r.config.acl in public_acls
	violation := lib.result(f, r, ["acl"], sprintf("S3 bucket %s has public ACL %s", [r.address, r.config.acl]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_s3_bucket_acl")
	r.config.acl in public_acls
	violation := lib.result(f, r, ["acl"], sprintf("%s grants public ACL %s", [r.address, r.config.acl]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_s3_bucket_public_access_block")
	some s in block_settings
	lib.is_false(object.get(r.config, s, false))
	violation := lib.result(f, r, [s], sprintf("%s turns off %s", [r.address, s]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::S3::Bucket")
	r.config.AccessControl in public_acls
	violation := lib.result(f, r, ["AccessControl"], sprintf("S3 bucket %s has public AccessControl %s", [r.name, r.config.AccessControl]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::S3::Bucket")
	block := r.config.PublicAccessBlockConfiguration
	some s in cfn_block_settings
	lib.is_false(lib.get(block, s, false))
	violation := lib.result(f, r, ["PublicAccessBlockConfiguration", s], sprintf("S3 bucket %s turns off %s", [r.name, s]))
}
