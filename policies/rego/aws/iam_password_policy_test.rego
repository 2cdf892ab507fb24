package guard.cloud.aws.iam.password_policy_test

import rego.v1

import data.guard.cloud.aws.iam.password_policy as p

account(policy) := {"resources": [{"arn": "arn:aws:iam::111122223333:root", "account": "111122223333", "region": "global", "type": "aws_iam_account", "attributes": {"password_policy": policy}}]}

test_missing_policy_denied if {
	count(p.deny) == 1 with input as account(null)
}

test_weak_policy_denied if {
	some r in p.deny with input as account({"MinimumPasswordLength": 8, "PasswordReusePrevention": 4, "ExpirePasswords": true, "MaxPasswordAge": 90})
	contains(r.msg, "minimum length below 12")
}

test_strong_policy_allowed if {
	count(p.deny) == 0 with input as account({"MinimumPasswordLength": 14, "PasswordReusePrevention": 24, "ExpirePasswords": true, "MaxPasswordAge": 90})
}
