# METADATA
# title: EBS volumes are encrypted
# description: EBS volumes and EC2 instance block devices set encrypted = true.
# custom:
#   id: GUARD-EBS-001
#   severity: high
#   files: [terraform, cloudformation]
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["3.5.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Disks and their snapshots outlive instances and get shared; unencrypted ones leak whatever was written to them.
package guard.config.ebs_encryption

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_ebs_volume")
	not lib.is_true(object.get(r.config, "encrypted", false))
	violation := lib.result(f, r, ["encrypted"], sprintf("EBS volume %s is not encrypted", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_instance")
	some dev in ["root_block_device", "ebs_block_device"]
	some i, d in lib.items(object.get(r.config, dev, []))
	not lib.is_true(lib.get(d, "encrypted", false))
	violation := lib.result(f, r, [dev, i, "encrypted"], sprintf("%s.%s is not encrypted", [r.address, dev]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::EC2::Volume")
	not lib.is_true(object.get(r.config, "Encrypted", false))
	violation := lib.result(f, r, ["Encrypted"], sprintf("EBS volume %s is not encrypted", [r.name]))
}
