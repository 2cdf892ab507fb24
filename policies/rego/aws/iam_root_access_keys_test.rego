package guard.cloud.aws.iam.root_access_keys_test

import rego.v1

import data.guard.cloud.aws.iam.root_access_keys as p

account(k1, k2) := {"resources": [{"arn": "arn:aws:iam::111122223333:root", "account": "111122223333", "region": "global", "type": "aws_iam_account", "attributes": {"root": {"mfa_active": true, "access_key_1_active": k1, "access_key_2_active": k2}}}]}

test_root_key_denied if {
	count(p.deny) == 1 with input as account(false, true)
}

test_no_root_keys_allowed if {
	count(p.deny) == 0 with input as account(false, false)
}
