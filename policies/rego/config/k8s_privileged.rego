# METADATA
# title: No privileged containers
# description: Kubernetes containers do not run privileged and do not add powerful capabilities (SYS_ADMIN, NET_ADMIN, ALL), nor allow privilege escalation explicitly.
# custom:
#   id: GUARD-K8S-001
#   severity: critical
#   files: [kubernetes]
#   cwe: [CWE-250]
#   controls:
#     soc2: [CC6.1, CC6.8]
#     pci-dss: ["2.2.6"]
#     iso27001: [A.8.2, A.8.9]
#     gdpr: [Art. 32]
#   rationale: A privileged container is root on the node; one compromised pod becomes the whole cluster.
package guard.config.k8s_privileged

import rego.v1

import data.guard.lib

dangerous_caps := {"SYS_ADMIN", "NET_ADMIN", "ALL", "SYS_PTRACE", "SYS_MODULE"}

deny contains violation if {
	some [f, doc, _, c, p] in lib.containers
	lib.is_true(object.get(c, ["securityContext", "privileged"], false))
	violation := lib.result(f, doc, array.concat(p, ["securityContext", "privileged"]), sprintf("container %s in %s %s is privileged", [c.name, doc.kind, doc.name]))
}

deny contains violation if {
	some [f, doc, _, c, p] in lib.containers
	lib.is_true(object.get(c, ["securityContext", "allowPrivilegeEscalation"], false))
	violation := lib.result(f, doc, array.concat(p, ["securityContext", "allowPrivilegeEscalation"]), sprintf("container %s in %s %s allows privilege escalation", [c.name, doc.kind, doc.name]))
}

deny contains violation if {
	some [f, doc, _, c, p] in lib.containers
	some cap in lib.items(object.get(c, ["securityContext", "capabilities", "add"], []))
	upper(lib.text(cap)) in dangerous_caps
	violation := lib.result(f, doc, array.concat(p, ["securityContext", "capabilities", "add"]), sprintf("container %s in %s %s adds capability %s", [c.name, doc.kind, doc.name, cap]))
}
