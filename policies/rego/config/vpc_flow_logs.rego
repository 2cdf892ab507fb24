# METADATA
# title: VPCs record flow logs
# description: Every VPC has an aws_flow_log attached.
# custom:
#   id: GUARD-NET-002
#   severity: medium
#   files: [terraform]
#   cwe: [CWE-778]
#   controls:
#     soc2: [CC7.2]
#     pci-dss: ["10.2.1"]
#     iso27001: [A.8.16]
#     gdpr: [Art. 32]
#   rationale: Network flow records are how unusual connections to and from in-scope systems are detected and investigated.
package guard.config.vpc_flow_logs

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_vpc")
	not lib.tf_referenced(f.dir, "aws_flow_log", "vpc_id", r.address)
	violation := lib.result(f, r, [], sprintf("VPC %s has no flow log", [r.address]))
}
