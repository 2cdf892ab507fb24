# Shared helpers for guard's policies. Runs on regorus and OPA alike (no rego.metadata.*).
package guard.lib

import rego.v1

# Line of a dotted attribute path inside an item ({"line", "lines"}); falls back to the
# longest known prefix, then to the item's own line.
line(item, parts) := ls[0] if {
	ls := [l |
		some i in numbers.range(0, count(parts) - 1)
		key := concat(".", [sprintf("%v", [p]) | some p in array.slice(parts, 0, count(parts) - i)])
		l := item.lines[key]
	]
	count(ls) > 0
} else := item.line

# A config-policy result.
result(file, item, parts, msg) := {
	"msg": msg,
	"path": file.path,
	"line": line(item, parts),
	"resource": object.get(item, "address", object.get(item, "name", "")),
}

# Terraform resources (managed and data) of a type, each paired with its file.
tf_resources(type) := [[f, r] |
	some f in input.files
	f.kind == "terraform"
	some r in f.resources
	r.type == type
]

# CloudFormation resources of a type, each paired with its file.
cfn_resources(type) := [[f, r] |
	some f in input.files
	f.kind == "cloudformation"
	some r in f.resources
	r.type == type
]

# True when a Terraform resource of `type` in the same folder refers to `address` in attribute `attr`.
tf_referenced(dir, type, attr, address) if {
	some [f, r] in tf_resources(type)
	f.dir == dir
	refers(object.get(r.config, attr, ""), address)
}

refers(value, address) if {
	is_string(value)
	contains(value, sprintf("%s.", [address]))
}

# Both booleans and their string spellings.
is_true(v) if v == true
is_true(v) if v == "true"

is_false(v) if v == false
is_false(v) if v == "false"

# Type-safe reading of what a document holds (anything: `containers:` left empty is null, a
# CloudFormation macro's Tags a string). regorus, unlike OPA by default, makes a built-in given the
# wrong type and `some .. in` over a non-collection an error, which fails the whole policy run.
# items(v): v when an array, [v] when an object (Terraform JSON writes a single nested block as one
# object), else []. get(v, key, fallback): object.get when v is an object, else fallback. text(v): v when
# a string, else "".
items(v) := v if is_array(v) else := [v] if is_object(v) else := []

get(v, key, fallback) := object.get(v, key, fallback) if is_object(v) else := fallback

text(v) := v if is_string(v) else := ""

# Tags of a Terraform resource (map) or CloudFormation resource (list of Key/Value).
tag_keys(config) := {lower(k) | some k, _ in config.tags} if {
	is_object(config.tags)
} else := {lower(t.Key) | some t in items(get(config, "Tags", [])); is_string(t.Key)}

# Kubernetes pod specs with the dotted path prefix to them, for every workload kind.
pod_specs := [[f, doc, spec, prefix] |
	some f in input.files
	f.kind == "kubernetes"
	some doc in f.documents
	[spec, prefix] := pod_spec(doc.content)
]

pod_spec(content) := [content.spec, ["spec"]] if content.kind == "Pod"

pod_spec(content) := [content.spec.template.spec, ["spec", "template", "spec"]] if {
	content.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}
}

pod_spec(content) := [content.spec.jobTemplate.spec.template.spec, ["spec", "jobTemplate", "spec", "template", "spec"]] if {
	content.kind == "CronJob"
}

# Every container of every pod spec: [file, doc, pod spec, container, path to the container].
containers := [[f, doc, spec, c, array.concat(prefix, [field, i])] |
	some [f, doc, spec, prefix] in pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some i, c in items(get(spec, field, []))
	is_object(c)
]

# Dockerfiles in the input.
dockerfiles := [f | some f in input.files; f.kind == "dockerfile"]

# An image reference pinned by content digest.
pinned(image) if regex.match(`@sha256:[a-f0-9]{64}$`, text(image))

# Admin ports: SSH, RDP, databases, Kubernetes/Docker APIs.
admin_ports := {22, 3389, 3306, 5432, 1433, 1521, 27017, 6379, 9200, 2375, 2376, 6443, 23}

open_cidr(c) if c in {"0.0.0.0/0", "::/0"}

# Does a port range include an admin port? (protocol -1 / "all" opens everything)
opens_admin_port(from, to, protocol) if {
	lower(sprintf("%v", [protocol])) in {"-1", "all"}
} else if {
	some p in admin_ports
	number(from) <= p
	p <= number(to)
}

# A number, or a string spelling one (HCL and YAML give both); undefined for anything else.
number(v) := v if is_number(v)

number(v) := to_number(v) if {
	is_string(v)
	regex.match(`^-?[0-9]+(\.[0-9]+)?$`, v)
}
