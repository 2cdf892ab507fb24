# METADATA
# title: CloudTrail log file validation is on
# description: Every trail (in its home region) has log file integrity validation enabled.
# custom:
#   id: GUARD-AWS-CT-002
#   severity: medium
#   cwe: [CWE-354]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.3.2"]
#     iso27001: [A.8.15]
#     gdpr: [Art. 32]
#   rationale: Audit logs must be protected from modification so they can be trusted as evidence.
package guard.cloud.aws.cloudtrail.log_validation

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_cloudtrail_trail")
	r.attributes.log_file_validation != true
	violation := lib.result(r, sprintf("trail %s does not validate log files", [r.attributes.name]))
}
