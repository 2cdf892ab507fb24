# METADATA
# title: No plaintext secrets in images or manifests
# description: Dockerfile ENV/ARG instructions and Kubernetes container env entries do not set password, secret, token or key variables to literal values.
# custom:
#   id: GUARD-SEC-002
#   severity: high
#   files: [kubernetes, dockerfile]
#   cwe: [CWE-798]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.6.2"]
#     iso27001: [A.5.17, A.8.4]
#     gdpr: [Art. 32]
#   rationale: Credentials baked into images and manifests end up in registries, logs and every copy of the repository.
package guard.config.plaintext_secret_env

import rego.v1

import data.guard.lib

# A credential's variable, not one naming where a credential is or what it is (ALLOYDB_SECRET_NAME,
# TOKEN_FILE, API_KEY_VERSION).
secret_name(n) if {
	regex.match(`(?i)(passw(or)?d|secret|token|api_?key|access_?key|private_?key|credential)`, n)
	not regex.match(`(?i).*_(name|file|path|dir|arn|ref|url|uri|version|length|ttl|header|field)$`, n)
}

# A value a deployment step fills in, not a credential: GOOGLE_API_KEY_VAL, <your key>, ${TOKEN}, {{ .token }}.
placeholder(v) if regex.match(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`, v)

placeholder(v) if regex.match(`^(<.*>|\$\{.*\}|\$\(.*\)|\{\{.*\}\}|%\(.*\)s)$`, v)

placeholder(v) if lower(v) in {"changeme", "change-me", "example", "placeholder", "dummy", "xxx", "none", "null", "todo"}

deny contains violation if {
	some f in lib.dockerfiles
	some i in f.instructions
	i.cmd in {"env", "arg"}
	some arg in i.args
	contains(arg, "=")
	[name, value] := split(arg, "=")
	secret_name(name)
	value != ""
	not startswith(value, "$")
	not placeholder(value)
	violation := {"msg": sprintf("%s sets %s to a literal value", [upper(i.cmd), name]), "path": f.path, "line": i.line}
}

deny contains violation if {
	some [f, doc, _, c, p] in lib.containers
	some j, e in lib.items(object.get(c, "env", []))
	secret_name(lib.text(e.name))
	is_string(e.value)
	e.value != ""
	not placeholder(e.value)
	violation := lib.result(f, doc, array.concat(p, ["env", j, "value"]), sprintf("container %s sets %s to a literal value", [c.name, e.name]))
}
