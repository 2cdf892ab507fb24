package guard.findings.fixable_dependencies_test

import rego.v1

import data.guard.findings.fixable_dependencies as p
import data.guard.testing as t

test_fixable_denied if {
	inp := t.findings([{"category": "dependency", "title": "jinja2 2.10", "rule_id": "PYSEC-1", "properties": {"fixed_versions": ["2.11.3"]}}], {})
	p.deny == {{"msg": "jinja2 2.10 (PYSEC-1): upgrade to 2.11.3", "fingerprint": "fp"}} with input as inp
}

test_unfixable_allowed if {
	inp := t.findings([{"category": "dependency", "title": "x", "properties": {"fixed_versions": []}}, {"category": "dependency", "title": "y"}], {})
	count(p.deny) == 0 with input as inp
}
