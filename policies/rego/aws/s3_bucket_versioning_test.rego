package guard.cloud.aws.s3.bucket_versioning_test

import rego.v1

import data.guard.cloud.aws.s3.bucket_versioning as p

bucket(status) := {"resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "region": "us-east-1", "type": "aws_s3_bucket", "attributes": {"name": "b", "versioning": status}}]}

test_unversioned_denied if {
	count(p.deny) == 1 with input as bucket(null)
	count(p.deny) == 1 with input as bucket("Suspended")
}

test_versioned_allowed if {
	count(p.deny) == 0 with input as bucket("Enabled")
}
