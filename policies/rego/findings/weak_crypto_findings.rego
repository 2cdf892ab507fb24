# METADATA
# title: No weak cryptography in code
# description: Findings with a broken or weak cryptography CWE (weak algorithm, weak hash, short keys, weak password hashing, insecure randomness) are violations.
# custom:
#   id: GUARD-GATE-005
#   severity: medium
#   judges: [sast]
#   cwe: [CWE-327]
#   controls:
#     soc2: [CC6.1, CC6.7]
#     pci-dss: ["6.2.4", "4.2.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: MD5, SHA-1, DES, short keys and predictable randomness give no protection to the data they are meant to protect.
package guard.findings.weak_crypto_findings

import rego.v1

crypto_cwes := {"CWE-326", "CWE-327", "CWE-328", "CWE-916", "CWE-330", "CWE-338", "CWE-295"}

deny contains violation if {
	some f in input.findings
	f.severity != "info"
	some c in f.cwe
	c in crypto_cwes
	violation := {"msg": sprintf("%s at %s:%v (%s)", [f.rule_id, f.path, f.line, concat(", ", f.cwe)]), "fingerprint": f.fingerprint}
}
