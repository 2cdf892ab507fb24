# METADATA
# title: AWS Config records every resource type
# description: In every assessed region a configuration recorder records all supported resource types and is recording.
# custom:
#   id: GUARD-AWS-CFG-001
#   severity: medium
#   controls:
#     soc2: [CC7.1]
#     pci-dss: ["2.2"]
#     iso27001: [A.8.9]
#     gdpr: [Art. 32]
#   rationale: Configuration history is how unauthorized or accidental changes are detected and investigated.
package guard.cloud.aws.config.recorder

import rego.v1

import data.guard.cloud.aws.lib

recording(r) if {
	some rec in r.attributes.recorders
	rec.recording == true
	rec.all_supported == true
}

deny contains violation if {
	some r in lib.resources("aws_config_region")
	not recording(r)
	violation := lib.result(r, sprintf("region %s of account %s has no AWS Config recorder recording all resources", [r.region, r.account]))
}
