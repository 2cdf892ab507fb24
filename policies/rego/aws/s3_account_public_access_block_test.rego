package guard.cloud.aws.s3.account_public_access_block_test

import rego.v1

import data.guard.cloud.aws.s3.account_public_access_block as p

account(pab) := {"resources": [{"arn": "arn:aws:s3::111122223333:account", "account": "111122223333", "region": "global", "type": "aws_s3_account", "attributes": {"public_access_block": pab}}]}

all_on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

test_missing_denied if {
	count(p.deny) == 1 with input as account(null)
}

test_partial_denied if {
	count(p.deny) == 1 with input as account(object.union(all_on, {"RestrictPublicBuckets": false}))
}

test_all_on_allowed if {
	count(p.deny) == 0 with input as account(all_on)
}
