# METADATA
# title: Databases are not publicly accessible
# description: RDS instances do not set publicly_accessible (PubliclyAccessible in CloudFormation).
# custom:
#   id: GUARD-RDS-002
#   severity: critical
#   files: [terraform, cloudformation]
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.6]
#     pci-dss: ["1.4.4", "1.3.1"]
#     iso27001: [A.8.20, A.8.22]
#     gdpr: [Art. 32]
#   rationale: Databases holding account or personal data must not be reachable from untrusted networks.
package guard.config.rds_public

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_db_instance")
	lib.is_true(object.get(r.config, "publicly_accessible", false))
	violation := lib.result(f, r, ["publicly_accessible"], sprintf("%s is publicly accessible", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::RDS::DBInstance")
	lib.is_true(object.get(r.config, "PubliclyAccessible", false))
	violation := lib.result(f, r, ["PubliclyAccessible"], sprintf("%s is publicly accessible", [r.name]))
}
