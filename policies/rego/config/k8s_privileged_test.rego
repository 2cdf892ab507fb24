package guard.config.k8s_privileged_test

import rego.v1

import data.guard.config.k8s_privileged as p
import data.guard.testing as t

test_privileged_denied if {
	inp := t.kubernetes([t.deployment({"containers": [{"name": "a", "image": "x", "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}}]})])
	count(p.deny) == 2 with input as inp
}

test_restricted_allowed if {
	inp := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "x", "securityContext": {"privileged": false, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]})])
	count(p.deny) == 0 with input as inp
}
