# METADATA
# title: Databases are not publicly accessible
# description: No RDS DB instance is publicly accessible.
# custom:
#   id: GUARD-AWS-RDS-002
#   severity: critical
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.6]
#     pci-dss: ["1.3.1"]
#     iso27001: [A.8.20, A.8.22]
#     gdpr: [Art. 32]
#   rationale: A database reachable from the internet is one weak password away from a breach.
package guard.cloud.aws.rds.public

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_rds_db_instance")
	r.attributes.publicly_accessible == true
	violation := lib.result(r, sprintf("RDS instance %s is publicly accessible", [r.attributes.identifier]))
}
