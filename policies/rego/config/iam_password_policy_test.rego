package guard.config.iam_password_policy_test

import rego.v1

import data.guard.config.iam_password_policy as p
import data.guard.testing as t

test_weak_policy_denied if {
	inp := t.terraform([t.tf("aws_iam_account_password_policy", "p", {"minimum_password_length": 8})])
	count(p.deny) == 3 with input as inp
}

test_strong_policy_allowed if {
	inp := t.terraform([t.tf("aws_iam_account_password_policy", "p", {"minimum_password_length": 14, "password_reuse_prevention": 24, "max_password_age": 90})])
	count(p.deny) == 0 with input as inp
}
