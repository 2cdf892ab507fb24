package guard.findings.injection_findings_test

import rego.v1

import data.guard.findings.injection_findings as p
import data.guard.testing as t

test_sql_injection_denied if {
	inp := t.findings([{"severity": "high", "cwe": ["CWE-89"]}], {})
	count(p.deny) == 1 with input as inp
}

test_low_or_other_allowed if {
	inp := t.findings([{"severity": "medium", "cwe": ["CWE-89"]}, {"severity": "high", "cwe": ["CWE-330"]}], {})
	count(p.deny) == 0 with input as inp
}
