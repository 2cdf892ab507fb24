package guard.config.s3_access_logging_test

import rego.v1

import data.guard.config.s3_access_logging as p
import data.guard.testing as t

test_no_logging_denied if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {})])
	count(p.deny) == 1 with input as inp
}

test_logging_resource_allowed if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {}), t.tf("aws_s3_bucket_logging", "l", {"bucket": "${aws_s3_bucket.b.id}"})])
	count(p.deny) == 0 with input as inp
}

test_inline_logging_allowed if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {"logging": [{"target_bucket": "logs"}]})])
	count(p.deny) == 0 with input as inp
}
