# METADATA
# title: No secrets in the repository
# description: Any secret a scanner found (category secret) is a violation, whatever its severity.
# custom:
#   id: GUARD-GATE-002
#   severity: high
#   judges: [secret]
#   cwe: [CWE-798]
#   controls:
#     soc2: [CC6.1]
#     pci-dss: ["8.6.2", "3.6.1"]
#     iso27001: [A.5.17, A.8.4]
#     gdpr: [Art. 32]
#   rationale: A committed credential is exposed to everyone with read access and every clone, forever; rotate it and remove it.
package guard.findings.no_secrets

import rego.v1

deny contains violation if {
	some f in input.findings
	f.category == "secret"
	violation := {"msg": sprintf("secret (%s) found in %s:%v", [f.rule_id, f.path, f.line]), "fingerprint": f.fingerprint}
}
