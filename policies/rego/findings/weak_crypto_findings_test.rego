package guard.findings.weak_crypto_findings_test

import rego.v1

import data.guard.findings.weak_crypto_findings as p
import data.guard.testing as t

test_md5_denied if {
	inp := t.findings([{"severity": "medium", "cwe": ["CWE-327"]}], {})
	count(p.deny) == 1 with input as inp
}

test_info_or_unrelated_allowed if {
	inp := t.findings([{"severity": "info", "cwe": ["CWE-327"]}, {"severity": "high", "cwe": ["CWE-89"]}], {})
	count(p.deny) == 0 with input as inp
}
