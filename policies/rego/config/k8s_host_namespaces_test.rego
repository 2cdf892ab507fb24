package guard.config.k8s_host_namespaces_test

import rego.v1

import data.guard.config.k8s_host_namespaces as p
import data.guard.testing as t

test_host_namespaces_denied if {
	inp := t.kubernetes([t.deployment({"hostNetwork": true, "hostPID": true, "containers": [], "volumes": [{"name": "d", "hostPath": {"path": "/var/run/docker.sock"}}]})])
	count(p.deny) == 3 with input as inp
}

test_isolated_allowed if {
	inp := t.kubernetes([t.pod({"hostNetwork": false, "containers": [], "volumes": [{"name": "d", "emptyDir": {}}]})])
	count(p.deny) == 0 with input as inp
}
