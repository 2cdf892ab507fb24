package guard.config.cloudtrail_coverage_test

import rego.v1

import data.guard.config.cloudtrail_coverage as p
import data.guard.testing as t

test_single_region_denied if {
	inp := t.terraform([t.tf("aws_cloudtrail", "c", {"is_multi_region_trail": false, "include_global_service_events": false})])
	count(p.deny) == 2 with input as inp
}

test_full_coverage_allowed if {
	inp := t.terraform([t.tf("aws_cloudtrail", "c", {"is_multi_region_trail": true})])
	count(p.deny) == 0 with input as inp
}
