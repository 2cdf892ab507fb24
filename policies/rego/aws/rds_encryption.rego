# METADATA
# title: Databases are encrypted at rest
# description: Every RDS DB instance has storage encryption enabled.
# custom:
#   id: GUARD-AWS-RDS-001
#   severity: high
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["3.5.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Database storage, snapshots and replicas outlive the instance and get copied; unencrypted they leak everything.
package guard.cloud.aws.rds.encryption

import rego.v1

import data.guard.cloud.aws.lib

deny contains violation if {
	some r in lib.resources("aws_rds_db_instance")
	r.attributes.storage_encrypted != true
	violation := lib.result(r, sprintf("RDS instance %s is not encrypted at rest", [r.attributes.identifier]))
}
