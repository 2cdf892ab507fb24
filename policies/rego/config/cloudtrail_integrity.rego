# METADATA
# title: CloudTrail logs are tamper-evident and encrypted
# description: CloudTrail trails enable log file validation and encrypt logs with a KMS key.
# custom:
#   id: GUARD-LOG-002
#   severity: medium
#   files: [terraform, cloudformation]
#   cwe: [CWE-354]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.3.2", "10.3.4"]
#     iso27001: [A.8.15]
#     gdpr: [Art. 32]
#   rationale: Audit logs must be protected from modification so they can be trusted as evidence.
package guard.config.cloudtrail_integrity

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_cloudtrail")
	not lib.is_true(object.get(r.config, "enable_log_file_validation", false))
	violation := lib.result(f, r, ["enable_log_file_validation"], sprintf("CloudTrail %s has no log file validation", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_cloudtrail")
	not r.config.kms_key_id
	violation := lib.result(f, r, [], sprintf("CloudTrail %s logs are not encrypted with KMS", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::CloudTrail::Trail")
	not lib.is_true(object.get(r.config, "EnableLogFileValidation", false))
	violation := lib.result(f, r, ["EnableLogFileValidation"], sprintf("CloudTrail %s has no log file validation", [r.name]))
}
