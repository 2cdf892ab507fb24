# METADATA
# title: Pods do not share host namespaces or mount host paths
# description: Kubernetes pods do not set hostNetwork, hostPID or hostIPC, and do not mount the container runtime socket.
# custom:
#   id: GUARD-K8S-003
#   severity: high
#   files: [kubernetes]
#   cwe: [CWE-653]
#   controls:
#     soc2: [CC6.1, CC6.6]
#     pci-dss: ["2.2.6", "1.3.1"]
#     iso27001: [A.8.9, A.8.22]
#     gdpr: [Art. 32]
#   rationale: Host namespaces and the runtime socket remove the isolation between a workload and its node and neighbours.
package guard.config.k8s_host_namespaces

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, doc, spec, p] in lib.pod_specs
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	lib.is_true(lib.get(spec, field, false))
	violation := lib.result(f, doc, array.concat(p, [field]), sprintf("%s %s sets %s", [doc.kind, doc.name, field]))
}

deny contains violation if {
	some [f, doc, spec, p] in lib.pod_specs
	some i, v in lib.items(lib.get(spec, "volumes", []))
	endswith(lib.text(v.hostPath.path), ".sock")
	violation := lib.result(f, doc, array.concat(p, ["volumes", i]), sprintf("%s %s mounts the runtime socket %s", [doc.kind, doc.name, v.hostPath.path]))
}
