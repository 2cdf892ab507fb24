# METADATA
# title: Databases are encrypted at rest
# description: RDS instances and Aurora clusters set storage_encrypted (StorageEncrypted in CloudFormation).
# custom:
#   id: GUARD-RDS-001
#   severity: high
#   files: [terraform, cloudformation]
#   cwe: [CWE-311]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["3.5.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: Database storage, snapshots and replicas hold the most sensitive records; encryption keeps them unreadable outside the database.
package guard.config.rds_encryption

import rego.v1

import data.guard.lib

deny contains violation if {
	some type in ["aws_db_instance", "aws_rds_cluster"]
	some [f, r] in lib.tf_resources(type)
	not lib.is_true(object.get(r.config, "storage_encrypted", false))
	violation := lib.result(f, r, ["storage_encrypted"], sprintf("%s is not encrypted at rest", [r.address]))
}

deny contains violation if {
	some type in ["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"]
	some [f, r] in lib.cfn_resources(type)
	not lib.is_true(object.get(r.config, "StorageEncrypted", false))
	violation := lib.result(f, r, ["StorageEncrypted"], sprintf("%s is not encrypted at rest", [r.name]))
}
