# METADATA
# title: IAM policies do not grant everything
# description: No IAM policy allows Action "*" (or service:*) on Resource "*".
# custom:
#   id: GUARD-IAM-001
#   severity: high
#   files: [terraform, cloudformation]
#   cwe: [CWE-269]
#   controls:
#     soc2: [CC6.3]
#     pci-dss: ["7.2.1", "7.2.2"]
#     iso27001: [A.5.15, A.8.2]
#     gdpr: [Art. 25, Art. 32]
#   rationale: Least privilege limits what a stolen credential or a compromised workload can do.
package guard.config.iam_wildcard

import rego.v1

import data.guard.lib

policy_types := ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"]

document(v) := json.unmarshal(v) if {
	is_string(v)
	json.is_valid(v)
} else := v if is_object(v)

as_list(v) := v if is_array(v)

as_list(v) := [v] if not is_array(v)

wildcard_action(a) if a == "*"

wildcard_action(a) if endswith(lib.text(a), ":*")

too_broad(st) if {
	lib.get(st, "Effect", "Allow") == "Allow"
	some a in as_list(lib.get(st, "Action", []))
	wildcard_action(a)
	some r in as_list(lib.get(st, "Resource", []))
	r == "*"
}

deny contains violation if {
	some type in policy_types
	some [f, r] in lib.tf_resources(type)
	some st in as_list(document(r.config.policy).Statement)
	too_broad(st)
	violation := lib.result(f, r, ["policy"], sprintf("%s allows %v on every resource", [r.address, st.Action]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_iam_policy_document")
	some i, st in lib.items(object.get(r.config, "statement", []))
	lib.get(st, "effect", "Allow") == "Allow"
	some a in lib.items(lib.get(st, "actions", []))
	wildcard_action(a)
	"*" in lib.items(lib.get(st, "resources", []))
	violation := lib.result(f, r, ["statement", i], sprintf("%s allows %v on every resource", [r.address, st.actions]))
}

deny contains violation if {
	some type in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]
	some [f, r] in lib.cfn_resources(type)
	some st in as_list(r.config.PolicyDocument.Statement)
	too_broad(st)
	violation := lib.result(f, r, ["PolicyDocument"], sprintf("%s allows %v on every resource", [r.name, st.Action]))
}
