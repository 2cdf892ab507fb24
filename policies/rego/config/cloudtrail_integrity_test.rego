package guard.config.cloudtrail_integrity_test

import rego.v1

import data.guard.config.cloudtrail_integrity as p
import data.guard.testing as t

test_unprotected_denied if {
	inp := t.terraform([t.tf("aws_cloudtrail", "c", {"enable_log_file_validation": false})])
	count(p.deny) == 2 with input as inp
}

test_protected_allowed if {
	inp := t.terraform([t.tf("aws_cloudtrail", "c", {"enable_log_file_validation": true, "kms_key_id": "${aws_kms_key.k.arn}"})])
	count(p.deny) == 0 with input as inp
}
