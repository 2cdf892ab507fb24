# METADATA
# title: KMS keys rotate
# description: Customer-managed symmetric KMS keys have automatic key rotation enabled.
# custom:
#   id: GUARD-KMS-001
#   severity: medium
#   files: [terraform, cloudformation]
#   cwe: [CWE-320]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["3.7.4"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Keys reach the end of their cryptoperiod; rotation limits how much data one compromised key exposes.
package guard.config.kms_rotation

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_kms_key")
	object.get(r.config, "customer_master_key_spec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	not lib.is_true(object.get(r.config, "enable_key_rotation", false))
	violation := lib.result(f, r, ["enable_key_rotation"], sprintf("KMS key %s does not rotate", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::KMS::Key")
	object.get(r.config, "KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	not lib.is_true(object.get(r.config, "EnableKeyRotation", false))
	violation := lib.result(f, r, ["EnableKeyRotation"], sprintf("KMS key %s does not rotate", [r.name]))
}
