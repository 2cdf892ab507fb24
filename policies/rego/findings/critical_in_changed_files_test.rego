package guard.findings.critical_in_changed_files_test

import rego.v1

import data.guard.findings.critical_in_changed_files as p
import data.guard.testing as t

test_critical_in_changed_file_denied if {
	inp := t.findings([{"severity": "critical", "path": "a.py", "fingerprint": "1"}, {"severity": "critical", "path": "b.py", "fingerprint": "2"}], {"changed_files": ["a.py"]})
	p.deny == {{"msg": "critical t finding r in changed file a.py", "fingerprint": "1"}} with input as inp
}

test_full_scan_counts_every_file if {
	inp := t.findings([{"severity": "critical", "path": "b.py"}], {})
	count(p.deny) == 1 with input as inp
}

test_high_allowed if {
	inp := t.findings([{"severity": "high", "path": "a.py"}], {"changed_files": ["a.py"]})
	count(p.deny) == 0 with input as inp
}

test_a_change_of_no_files_denies_nothing if {
	inp := t.findings([{"severity": "critical", "path": "a.py"}], {"changed_files": []})
	count(p.deny) == 0 with input as inp
}
