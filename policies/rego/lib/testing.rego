# Input builders for policy tests (shapes as documented in policies/README.md).
package guard.testing

import rego.v1

terraform(resources) := {"files": [{
	"path": "main.tf", "dir": ".", "kind": "terraform", "blocks": [],
	"resources": [object.union({"mode": "managed", "line": 1, "lines": {}, "address": sprintf("%s.%s", [r.type, r.name])}, r) | some r in resources],
}]}

tf(type, name, config) := {"type": type, "name": name, "config": config}

cloudformation(resources) := {"files": [{
	"path": "template.yaml", "dir": ".", "kind": "cloudformation",
	"resources": [object.union({"line": 1, "lines": {}, "address": r.name}, r) | some r in resources],
}]}

kubernetes(contents) := {"files": [{
	"path": "k8s.yaml", "dir": ".", "kind": "kubernetes",
	"documents": [{"content": c, "line": 1, "lines": {}, "kind": c.kind, "name": "x"} | some c in contents],
}]}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": spec}

deployment(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {"template": {"spec": spec}}}

dockerfile(lines) := {"files": [{
	"path": "Dockerfile", "dir": ".", "kind": "dockerfile",
	"instructions": [instruction(i, l) | some i, l in lines],
}]}

instruction(i, l) := {"cmd": lower(parts[0]), "value": trim_space(substring(l, count(parts[0]), -1)), "args": array.slice(parts, 1, count(parts)), "line": i + 1, "stage": 0} if {
	parts := split(l, " ")
}

findings(fs, context) := {"findings": [object.union({"tool": "t", "rule_id": "r", "severity": "low", "category": "sast", "path": "a.py", "line": 1, "fingerprint": "fp", "cwe": [], "aliases": [], "properties": {}, "found_by": ["t"]}, f) | some f in fs], "context": object.union({"repo": "r", "branch": "main", "changed_files": null, "frameworks": ["soc2"], "fail_on": "high"}, context)}
