package guard.cloud.aws.s3.bucket_lifecycle_test

import rego.v1

import data.guard.cloud.aws.s3.bucket_lifecycle as p

bucket(n) := {"resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "region": "us-east-1", "type": "aws_s3_bucket", "attributes": {"name": "b", "lifecycle_rules": n}}]}

test_no_rules_denied if {
	count(p.deny) == 1 with input as bucket(0)
}

test_rules_allowed if {
	count(p.deny) == 0 with input as bucket(2)
}
