# METADATA
# title: Base images are pinned by digest
# description: Every FROM in a Dockerfile names its base image by @sha256 digest (stages built earlier in the same file and scratch are exempt).
# custom:
#   id: GUARD-DOCKER-002
#   severity: medium
#   files: [dockerfile]
#   cwe: [CWE-494]
#   controls:
#     soc2: [CC8.1]
#     pci-dss: ["6.3.2"]
#     iso27001: [A.8.19, A.8.32]
#   rationale: The latest tag and other tags change under you; builds must use the base image that was reviewed and scanned.
package guard.config.docker_image_digest

import rego.v1

import data.guard.lib

deny contains violation if {
	some f in lib.dockerfiles
	stages := {lower(s.stage_name) | some s in f.instructions; s.cmd == "from"; s.stage_name != null}
	some i in f.instructions
	i.cmd == "from"
	image := i.args[0]
	lower(image) != "scratch"
	not lower(image) in stages
	not lib.pinned(image)
	violation := {"msg": sprintf("base image %s is not pinned by digest", [image]), "path": f.path, "line": i.line}
}
