# METADATA
# title: Container images do not run as root
# description: The final stage of every Dockerfile switches to a non-root USER.
# custom:
#   id: GUARD-DOCKER-001
#   severity: high
#   files: [dockerfile]
#   cwe: [CWE-250]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["2.2.6"]
#     iso27001: [A.8.2, A.8.9]
#     gdpr: [Art. 32]
#   rationale: Processes in the container run with the image's user; root makes every container escape worse.
package guard.config.docker_root_user

import rego.v1

import data.guard.lib

last_stage(f) := max({i.stage | some i in f.instructions})

final_users(f) := [i | some i in f.instructions; i.cmd == "user"; i.stage == last_stage(f)]

root_user(value) if regex.match(`^(root|0)(:.*)?$`, trim_space(value))

deny contains violation if {
	some f in lib.dockerfiles
	count(final_users(f)) == 0
	some from in f.instructions
	from.cmd == "from"
	from.stage == last_stage(f)
	violation := {"msg": "Dockerfile never switches to a non-root USER", "path": f.path, "line": from.line}
}

deny contains violation if {
	some f in lib.dockerfiles
	users := final_users(f)
	count(users) > 0
	u := users[count(users) - 1]
	root_user(u.value)
	violation := {"msg": sprintf("Dockerfile runs as %s", [u.value]), "path": f.path, "line": u.line}
}
