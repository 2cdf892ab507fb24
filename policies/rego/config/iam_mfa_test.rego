package guard.config.iam_mfa_test

import rego.v1

import data.guard.config.iam_mfa as p
import data.guard.testing as t

test_console_without_mfa_denied if {
	inp := t.terraform([t.tf("aws_iam_user_login_profile", "u", {"user": "alice"})])
	count(p.deny) == 1 with input as inp
}

test_mfa_policy_allowed if {
	doc := {"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
	inp := t.terraform([t.tf("aws_iam_user_login_profile", "u", {"user": "alice"}), t.tf("aws_iam_policy", "mfa", {"policy": doc})])
	count(p.deny) == 0 with input as inp
}
