# METADATA
# title: No injection weaknesses of high severity
# description: Code findings with an injection CWE (SQL, OS command, code, XSS, LDAP, XXE, SSRF, path traversal) at high or critical severity are violations.
# custom:
#   id: GUARD-GATE-004
#   severity: high
#   judges: [sast]
#   cwe: [CWE-74]
#   controls:
#     soc2: [CC8.1]
#     pci-dss: ["6.2.4"]
#     iso27001: [A.8.28]
#     gdpr: [Art. 25]
#   rationale: PCI DSS 6.2.4 requires software to prevent injection attacks; these are the bugs behind most data breaches in web applications.
package guard.findings.injection_findings

import rego.v1

injection_cwes := {"CWE-77", "CWE-78", "CWE-79", "CWE-89", "CWE-90", "CWE-94", "CWE-95", "CWE-611", "CWE-918", "CWE-22", "CWE-502"}

deny contains violation if {
	some f in input.findings
	f.severity in {"high", "critical"}
	some c in f.cwe
	c in injection_cwes
	violation := {"msg": sprintf("%s at %s:%v (%s)", [f.rule_id, f.path, f.line, concat(", ", f.cwe)]), "fingerprint": f.fingerprint}
}
