# METADATA
# title: Log groups keep logs for a year, and not forever
# description: Every CloudWatch log group has a retention policy of at least 365 days (unset means kept forever).
# custom:
#   id: GUARD-AWS-LOG-001
#   severity: medium
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.5.1"]
#     iso27001: [A.8.15]
#     gdpr: [Art. 5]
#   rationale: PCI DSS asks for 12 months of audit history; GDPR's storage limitation forbids keeping personal data in logs indefinitely.
package guard.cloud.aws.logs.retention

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_logs_log_group")
	r.attributes.retention_in_days == null
	violation := lib.result(r, sprintf("log group %s has no retention policy (kept forever)", [r.attributes.name]))
}

deny contains violation if {
	some r in lib.resources("aws_logs_log_group")
	is_number(r.attributes.retention_in_days)
	r.attributes.retention_in_days < 365
	violation := lib.result(r, sprintf("log group %s keeps logs for only %v days", [r.attributes.name, r.attributes.retention_in_days]))
}
