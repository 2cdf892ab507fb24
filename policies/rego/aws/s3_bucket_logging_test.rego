package guard.cloud.aws.s3.bucket_logging_test

import rego.v1

import data.guard.cloud.aws.s3.bucket_logging as p

bucket(target) := {"resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "region": "us-east-1", "type": "aws_s3_bucket", "attributes": {"name": "b", "logging_target": target}}]}

test_unlogged_denied if {
	count(p.deny) == 1 with input as bucket(null)
}

test_logged_allowed if {
	count(p.deny) == 0 with input as bucket("logs")
}
