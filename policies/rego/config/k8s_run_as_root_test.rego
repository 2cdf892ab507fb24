package guard.config.k8s_run_as_root_test

import rego.v1

import data.guard.config.k8s_run_as_root as p
import data.guard.testing as t

test_root_denied if {
	inp := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "x", "securityContext": {"runAsUser": 0}}, {"name": "b", "image": "y"}]})])
	count(p.deny) == 2 with input as inp
}

test_non_root_allowed if {
	inp := t.kubernetes([t.deployment({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "image": "x"}]})])
	count(p.deny) == 0 with input as inp
}
