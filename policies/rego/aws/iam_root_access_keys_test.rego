package guard.cloud.aws.iam.root_access_keys_test

import rego.v1

import data.guard.cloud.aws.iam.root_access_keys as p

account(keys) := {"resources": [{"arn": "arn:aws:iam::111122223333:root", "account": "111122223333", "region": "global", "type": "aws_iam_account", "attributes": {"root": {"mfa_active": true, "access_keys_present": keys}}}]}

test_root_key_denied if {
	count(p.deny) == 1 with input as account(true)
}

test_no_root_keys_allowed if {
	count(p.deny) == 0 with input as account(false)
}

test_unknown_status_denied if {
	count(p.deny) == 1 with input as account(null)
}
