package guard.cloud.aws.iam.access_key_age_test

import rego.v1

import data.guard.cloud.aws.iam.access_key_age as p

user(age) := {"resources": [{"arn": "arn:aws:iam::111122223333:user/ci", "account": "111122223333", "region": "global", "type": "aws_iam_user", "attributes": {"user_name": "ci", "password_enabled": false, "mfa_active": false, "access_keys": [{"number": 1, "active": true, "last_rotated": "2024-01-01T00:00:00+00:00", "age_days": age}]}}]}

test_old_key_denied if {
	count(p.deny) == 1 with input as user(400)
}

test_fresh_key_allowed if {
	count(p.deny) == 0 with input as user(10)
}
