# METADATA
# title: Kubernetes images are pinned by digest
# description: Every container image in a Kubernetes manifest is referenced by @sha256 digest, not by a mutable tag.
# custom:
#   id: GUARD-K8S-004
#   severity: medium
#   files: [kubernetes]
#   cwe: [CWE-494]
#   controls:
#     soc2: [CC8.1]
#     pci-dss: ["6.3.2"]
#     iso27001: [A.8.19, A.8.32]
#   rationale: A tag can be moved to different code at any time; a digest names exactly the image that was reviewed and scanned.
package guard.config.k8s_image_digest

import rego.v1

import data.guard.lib

deny contains violation if {
	some [f, doc, _, c, p] in lib.containers
	not lib.pinned(c.image)
	violation := lib.result(f, doc, array.concat(p, ["image"]), sprintf("container %s in %s %s uses unpinned image %s", [c.name, doc.kind, doc.name, c.image]))
}
