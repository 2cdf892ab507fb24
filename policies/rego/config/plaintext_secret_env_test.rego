package guard.config.plaintext_secret_env_test

import rego.v1

import data.guard.config.plaintext_secret_env as p
import data.guard.testing as t

test_literal_secrets_denied if {
	inp := t.dockerfile(["FROM x", "ENV DB_PASSWORD=hunter2 MODE=prod"])
	count(p.deny) == 1 with input as inp
	k8s := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "x", "env": [{"name": "API_TOKEN", "value": "abc"}]}]})])
	count(p.deny) == 1 with input as k8s
}

test_references_allowed if {
	inp := t.dockerfile(["FROM x", "ARG DB_PASSWORD", "ENV DB_PASSWORD=$DB_PASSWORD MODE=prod"])
	count(p.deny) == 0 with input as inp
	k8s := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "x", "env": [{"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]})])
	count(p.deny) == 0 with input as k8s
}
