# METADATA
# title: Databases keep automated backups
# description: RDS instances and clusters keep automated backups for at least 7 days.
# custom:
#   id: GUARD-RDS-003
#   severity: medium
#   files: [terraform]
#   controls:
#     soc2: [A1.2]
#     iso27001: [A.8.13]
#     gdpr: [Art. 32]
#   rationale: Backups are how data is restored after deletion, corruption or ransomware (GDPR Art. 32(1)(c) availability and resilience).
package guard.config.rds_backup

import rego.v1

import data.guard.lib

deny contains violation if {
	some type in ["aws_db_instance", "aws_rds_cluster"]
	some [f, r] in lib.tf_resources(type)
	days := object.get(r.config, "backup_retention_period", 1)
	is_number(days)
	days < 7
	violation := lib.result(f, r, ["backup_retention_period"], sprintf("%s keeps backups for %v days (minimum 7)", [r.address, days]))
}
