package guard.config.k8s_image_digest_test

import rego.v1

import data.guard.config.k8s_image_digest as p
import data.guard.testing as t

test_tag_denied if {
	inp := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "nginx:latest"}], "initContainers": [{"name": "i", "image": "busybox"}]})])
	count(p.deny) == 2 with input as inp
}

test_digest_allowed if {
	inp := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]})])
	count(p.deny) == 0 with input as inp
}
