package guard.config.docker_root_user_test

import rego.v1

import data.guard.config.docker_root_user as p
import data.guard.testing as t

test_no_user_denied if {
	inp := t.dockerfile(["FROM python:3.12", "RUN pip install x"])
	count(p.deny) == 1 with input as inp
}

test_root_user_denied if {
	inp := t.dockerfile(["FROM python:3.12", "USER app", "USER root"])
	count(p.deny) == 1 with input as inp
}

test_app_user_allowed if {
	inp := t.dockerfile(["FROM python:3.12", "USER 10001"])
	count(p.deny) == 0 with input as inp
}
