# METADATA
# title: EBS volumes are encrypted
# description: Every EBS volume is encrypted.
# custom:
#   id: GUARD-AWS-EC2-003
#   severity: high
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["3.5.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Disks and their snapshots outlive instances and get shared; unencrypted ones leak whatever was written to them.
package guard.cloud.aws.ec2.volume_encryption

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_ec2_volume")
	r.attributes.encrypted != true
	violation := lib.result(r, sprintf("EBS volume %s is not encrypted", [r.attributes.volume_id]))
}
