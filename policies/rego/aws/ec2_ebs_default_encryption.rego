# METADATA
# title: EBS encryption by default is on
# description: In every assessed region, new EBS volumes are encrypted by default.
# custom:
#   id: GUARD-AWS-EC2-002
#   severity: medium
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["3.5.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: The account-wide default makes every new volume and snapshot encrypted without relying on each template.
package guard.cloud.aws.ec2.ebs_default_encryption

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_ec2_region")
	r.attributes.ebs_encryption_by_default != true
	violation := lib.result(r, sprintf("EBS encryption by default is off in region %s of account %s", [r.region, r.account]))
}
