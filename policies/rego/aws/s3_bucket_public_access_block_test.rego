package guard.cloud.aws.s3.bucket_public_access_block_test

import rego.v1

import data.guard.cloud.aws.s3.bucket_public_access_block as p

all_on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

bucket(pab, account) := {"resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "region": "us-east-1", "type": "aws_s3_bucket", "attributes": {"name": "b", "public_access_block": pab, "account_public_access_block": account}}]}

test_unblocked_denied if {
	count(p.deny) == 1 with input as bucket(null, null)
}

test_bucket_block_allowed if {
	count(p.deny) == 0 with input as bucket(all_on, null)
}

test_account_block_allowed if {
	count(p.deny) == 0 with input as bucket(null, all_on)
}
