package guard.config.s3_lifecycle_test

import rego.v1

import data.guard.config.s3_lifecycle as p
import data.guard.testing as t

test_no_lifecycle_denied if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {})])
	count(p.deny) == 1 with input as inp
}

test_lifecycle_resource_allowed if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {}), t.tf("aws_s3_bucket_lifecycle_configuration", "l", {"bucket": "${aws_s3_bucket.b.id}"})])
	count(p.deny) == 0 with input as inp
}
