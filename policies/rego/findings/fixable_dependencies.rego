# METADATA
# title: No vulnerable dependency that has a fix
# description: A dependency finding whose advisory lists fixed versions (properties.fixed_versions) must be upgraded.
# custom:
#   id: GUARD-GATE-003
#   severity: high
#   judges: [dependency]
#   cwe: [CWE-1395]
#   controls:
#     soc2: [CC7.1]
#     pci-dss: ["6.3.3"]
#     iso27001: [A.8.8]
#     gdpr: [Art. 32]
#   rationale: Known vulnerabilities with an available patch are the cheapest risk to remove and the first one attackers use.
package guard.findings.fixable_dependencies

import rego.v1

fixed_versions(f) := object.get(f.properties, "fixed_versions", [])

deny contains violation if {
	some f in input.findings
	f.category == "dependency"
	count(fixed_versions(f)) > 0
	violation := {"msg": sprintf("%s (%s): upgrade to %s", [f.title, f.rule_id, concat(" or ", fixed_versions(f))]), "fingerprint": f.fingerprint}
}
