# METADATA
# title: KMS keys rotate
# description: Enabled customer managed symmetric KMS keys have automatic key rotation enabled.
# custom:
#   id: GUARD-AWS-KMS-001
#   severity: medium
#   cwe: [CWE-320]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["3.7.4"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Keys reach the end of their cryptoperiod; rotation limits how much data one compromised key exposes.
package guard.cloud.aws.kms.key_rotation

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_kms_key")
	r.attributes.key_manager == "CUSTOMER"
	r.attributes.rotation_enabled == false
	violation := lib.result(r, sprintf("KMS key %s does not rotate automatically", [r.attributes.key_id]))
}
