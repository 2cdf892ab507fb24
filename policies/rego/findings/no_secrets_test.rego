package guard.findings.no_secrets_test

import rego.v1

import data.guard.findings.no_secrets as p
import data.guard.testing as t

test_secret_denied if {
	inp := t.findings([{"category": "secret", "rule_id": "aws-key", "severity": "low"}, {"category": "sast"}], {})
	count(p.deny) == 1 with input as inp
}

test_no_secret_allowed if {
	inp := t.findings([{"category": "sast", "severity": "critical"}], {})
	count(p.deny) == 0 with input as inp
}
