# METADATA
# title: Secrets rotate automatically
# description: Every Secrets Manager secret has a rotation schedule (aws_secretsmanager_secret_rotation or AWS::SecretsManager::RotationSchedule).
# custom:
#   id: GUARD-SEC-001
#   severity: medium
#   files: [terraform, cloudformation]
#   cwe: [CWE-262]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.6.3", "8.3.9"]
#     iso27001: [A.5.17]
#     gdpr: [Art. 32]
#   rationale: Application and system account credentials must change periodically so a leaked one stops working.
package guard.config.secret_rotation

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_secretsmanager_secret")
	not lib.tf_referenced(f.dir, "aws_secretsmanager_secret_rotation", "secret_id", r.address)
	violation := lib.result(f, r, [], sprintf("secret %s has no rotation", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::SecretsManager::Secret")
	not cfn_rotated(f, r.name)
	violation := lib.result(f, r, [], sprintf("secret %s has no rotation schedule", [r.name]))
}

cfn_rotated(f, name) if {
	some s in f.resources
	s.type == "AWS::SecretsManager::RotationSchedule"
	s.config.SecretId == {"Ref": name}
}
