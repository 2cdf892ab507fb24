package guard.config.s3_public_access_test

import rego.v1

import data.guard.config.s3_public_access as p
import data.guard.testing as t

test_public_acl_denied if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {"acl": "public-read"})])
	count(p.deny) == 1 with input as inp
}

test_private_bucket_allowed if {
	inp := t.terraform([
		t.tf("aws_s3_bucket", "b", {"acl": "private"}),
		t.tf("aws_s3_bucket_public_access_block", "b", {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}),
	])
	count(p.deny) == 0 with input as inp
}

test_access_block_off_denied if {
	inp := t.terraform([t.tf("aws_s3_bucket_public_access_block", "b", {"block_public_acls": false, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true})])
	count(p.deny) == 1 with input as inp
}

test_cloudformation if {
	bad := t.cloudformation([{"type": "AWS::S3::Bucket", "name": "B", "config": {"AccessControl": "PublicRead"}}])
	count(p.deny) == 1 with input as bad
	good := t.cloudformation([{"type": "AWS::S3::Bucket", "name": "B", "config": {"AccessControl": "Private"}}])
	count(p.deny) == 0 with input as good
}
