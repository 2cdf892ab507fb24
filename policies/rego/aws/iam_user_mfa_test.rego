package guard.cloud.aws.iam.user_mfa_test

import rego.v1

import data.guard.cloud.aws.iam.user_mfa as p

user(password, mfa) := {"resources": [{"arn": "arn:aws:iam::111122223333:user/alice", "account": "111122223333", "region": "global", "type": "aws_iam_user", "attributes": {"user_name": "alice", "password_enabled": password, "mfa_active": mfa, "access_keys": []}}]}

test_console_user_without_mfa_denied if {
	count(p.deny) == 1 with input as user(true, false)
}

test_console_user_with_mfa_allowed if {
	count(p.deny) == 0 with input as user(true, true)
}

test_programmatic_user_allowed if {
	count(p.deny) == 0 with input as user(false, false)
}
