package guard.config.docker_image_digest_test

import rego.v1

import data.guard.config.docker_image_digest as p
import data.guard.testing as t

test_tag_denied if {
	inp := t.dockerfile(["FROM python:latest"])
	count(p.deny) == 1 with input as inp
}

test_digest_allowed if {
	inp := t.dockerfile(["FROM python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "FROM scratch"])
	count(p.deny) == 0 with input as inp
}
