# METADATA
# title: CloudTrail records every region and global service
# description: CloudTrail trails are multi-region and include global service events.
# custom:
#   id: GUARD-LOG-001
#   severity: high
#   files: [terraform, cloudformation]
#   cwe: [CWE-778]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.2.1"]
#     iso27001: [A.8.15, A.8.16]
#     gdpr: [Art. 32]
#   rationale: API activity in a region or in IAM that is not recorded cannot be investigated.
package guard.config.cloudtrail_coverage

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_cloudtrail")
	some attr in ["is_multi_region_trail", "include_global_service_events"]
	default_on := {"is_multi_region_trail": false, "include_global_service_events": true}
	not lib.is_true(object.get(r.config, attr, default_on[attr]))
	violation := lib.result(f, r, [attr], sprintf("CloudTrail %s: %s is off", [r.address, attr]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::CloudTrail::Trail")
	not lib.is_true(object.get(r.config, "IsMultiRegionTrail", false))
	violation := lib.result(f, r, ["IsMultiRegionTrail"], sprintf("CloudTrail %s is not multi-region", [r.name]))
}
