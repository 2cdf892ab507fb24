# METADATA
# title: Databases keep a week of automated backups
# description: Every RDS DB instance keeps automated backups for at least 7 days.
# custom:
#   id: GUARD-AWS-RDS-003
#   severity: medium
#   controls:
#     soc2: [A1.2]
#     iso27001: [A.8.13]
#     gdpr: [Art. 32]
#   rationale: Without backups, a deleted or corrupted database cannot be restored in time.
package guard.cloud.aws.rds.backup

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_rds_db_instance")
	r.attributes.backup_retention_period < 7
	violation := lib.result(r, sprintf("RDS instance %s keeps backups for %v day(s)", [r.attributes.identifier, r.attributes.backup_retention_period]))
}
