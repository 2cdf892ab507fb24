# METADATA
# title: Pods do not run as root
# description: Kubernetes pods or their containers set runAsNonRoot true and never runAsUser 0.
# custom:
#   id: GUARD-K8S-002
#   severity: high
#   files: [kubernetes]
#   cwe: [CWE-250]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["2.2.6"]
#     iso27001: [A.8.2, A.8.9]
#     gdpr: [Art. 32]
#   rationale: Root in a container is one kernel bug or mount away from root on the node.
package guard.config.k8s_run_as_root

import rego.v1

import data.guard.lib

non_root(spec, c) if lib.is_true(object.get(c, ["securityContext", "runAsNonRoot"], false))

non_root(spec, c) if {
	lib.is_true(object.get(spec, ["securityContext", "runAsNonRoot"], false))
	not object.get(c, ["securityContext", "runAsNonRoot"], true) == false
}

deny contains violation if {
	some [f, doc, spec, c, p] in lib.containers
	uid := object.get(c, ["securityContext", "runAsUser"], object.get(spec, ["securityContext", "runAsUser"], -1))
	uid == 0
	violation := lib.result(f, doc, array.concat(p, ["securityContext", "runAsUser"]), sprintf("container %s in %s %s runs as UID 0", [c.name, doc.kind, doc.name]))
}

deny contains violation if {
	some [f, doc, spec, c, p] in lib.containers
	object.get(c, ["securityContext", "runAsUser"], object.get(spec, ["securityContext", "runAsUser"], -1)) != 0
	not non_root(spec, c)
	violation := lib.result(f, doc, p, sprintf("container %s in %s %s does not set runAsNonRoot", [c.name, doc.kind, doc.name]))
}
