# METADATA
# title: The account blocks S3 public access
# description: The account-level S3 public access block turns on all four settings.
# custom:
#   id: GUARD-AWS-S3-001
#   severity: high
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.1, CC6.6]
#     pci-dss: ["1.4.1", "7.2.1"]
#     iso27001: [A.5.15, A.8.3]
#     gdpr: [Art. 25, Art. 32]
#   rationale: One account-wide switch keeps a single mistaken ACL or bucket policy from publishing data.
package guard.cloud.aws.s3.account_public_access_block

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_s3_account")
	not lib.blocks_all(object.get(r.attributes, "public_access_block", {}))
	violation := lib.result(r, sprintf("account %s does not block S3 public access on all four settings", [r.account]))
}
