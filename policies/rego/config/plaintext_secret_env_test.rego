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

test_secret_names_and_placeholders_allowed if {
	envs := [
		{"name": "ALLOYDB_SECRET_NAME", "value": "alloydb-pass"},
		{"name": "TOKEN_FILE", "value": "/run/secrets/token"},
		{"name": "GOOGLE_API_KEY", "value": "GOOGLE_API_KEY_VAL"},
		{"name": "DB_PASSWORD", "value": "<your password>"},
		{"name": "API_TOKEN", "value": "{{ .Values.token }}"},
		{"name": "CLIENT_SECRET", "value": "changeme"},
	]
	k8s := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "x", "env": envs}]})])
	count(p.deny) == 0 with input as k8s
	inp := t.dockerfile(["FROM x", "ENV API_KEY=API_KEY_PLACEHOLDER SECRET_NAME=prod-db"])
	count(p.deny) == 0 with input as inp
}

test_literal_values_beside_placeholders_denied if {
	envs := [{"name": "GOOGLE_API_KEY", "value": "AIzaSyD-example-but-real-shape"}, {"name": "DB_PASSWORD", "value": "SUPERSECRET"}]
	k8s := t.kubernetes([t.pod({"containers": [{"name": "a", "image": "x", "env": envs}]})])
	count(p.deny) == 2 with input as k8s
}
