package guard.config.log_retention_test

import rego.v1

import data.guard.config.log_retention as p
import data.guard.testing as t

test_bad_retention_denied if {
	inp := t.terraform([t.tf("aws_cloudwatch_log_group", "a", {}), t.tf("aws_cloudwatch_log_group", "b", {"retention_in_days": 30})])
	count(p.deny) == 2 with input as inp
}

test_year_allowed if {
	inp := t.terraform([t.tf("aws_cloudwatch_log_group", "a", {"retention_in_days": 400})])
	count(p.deny) == 0 with input as inp
}
