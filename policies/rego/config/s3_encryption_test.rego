package guard.config.s3_encryption_test

import rego.v1

import data.guard.config.s3_encryption
import data.guard.testing as t

test_unencrypted_bucket_denied if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {"bucket": "x"})])
	count(s3_encryption.deny) == 1 with input as inp
}

test_inline_encryption_allowed if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {"server_side_encryption_configuration": [{"rule": [{}]}]})])
	count(s3_encryption.deny) == 0 with input as inp
}

test_separate_encryption_resource_allowed if {
	inp := t.terraform([
		t.tf("aws_s3_bucket", "b", {}),
		t.tf("aws_s3_bucket_server_side_encryption_configuration", "e", {"bucket": "${aws_s3_bucket.b.id}"}),
	])
	count(s3_encryption.deny) == 0 with input as inp
}

test_cloudformation if {
	bad := t.cloudformation([{"type": "AWS::S3::Bucket", "name": "B", "config": {}}])
	count(s3_encryption.deny) == 1 with input as bad
	good := t.cloudformation([{"type": "AWS::S3::Bucket", "name": "B", "config": {"BucketEncryption": {}}}])
	count(s3_encryption.deny) == 0 with input as good
}
