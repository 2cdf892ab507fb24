package guard.cloud.aws.s3.bucket_encryption_test

import rego.v1

import data.guard.cloud.aws.s3.bucket_encryption as p

bucket(enc) := {"resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "region": "us-east-1", "type": "aws_s3_bucket", "attributes": {"name": "b", "encryption": enc}}]}

test_unencrypted_denied if {
	count(p.deny) == 1 with input as bucket([])
}

test_encrypted_allowed if {
	count(p.deny) == 0 with input as bucket([{"SSEAlgorithm": "aws:kms"}])
}
