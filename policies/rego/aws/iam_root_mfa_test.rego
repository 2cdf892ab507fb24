package guard.cloud.aws.iam.root_mfa_test

import rego.v1

import data.guard.cloud.aws.iam.root_mfa as p

account(mfa) := {"resources": [{"arn": "arn:aws:iam::111122223333:root", "account": "111122223333", "region": "global", "type": "aws_iam_account", "attributes": {"root": {"mfa_active": mfa, "access_keys_present": false}}}]}

test_root_without_mfa_denied if {
	count(p.deny) == 1 with input as account(false)
}

test_root_with_mfa_allowed if {
	count(p.deny) == 0 with input as account(true)
}

test_unknown_status_denied if {
	count(p.deny) == 1 with input as account(null)
}
