# METADATA
# title: Log groups keep logs for a year, and not forever
# description: CloudWatch log groups set retention_in_days between 365 and 2557 days (7 years); unset means kept forever.
# custom:
#   id: GUARD-LOG-003
#   severity: medium
#   files: [terraform]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.5.1"]
#     iso27001: [A.8.15]
#     gdpr: [Art. 5]
#   rationale: PCI DSS asks for 12 months of audit history; GDPR's storage limitation forbids keeping personal data in logs indefinitely.
package guard.config.log_retention

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_cloudwatch_log_group")
	not r.config.retention_in_days
	violation := lib.result(f, r, [], sprintf("log group %s keeps logs forever (no retention_in_days)", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_cloudwatch_log_group")
	days := r.config.retention_in_days
	is_number(days)
	not in_range(days)
	violation := lib.result(f, r, ["retention_in_days"], sprintf("log group %s keeps logs %v days (want 365-2557)", [r.address, days]))
}

in_range(days) if {
	days >= 365
	days <= 2557
}
