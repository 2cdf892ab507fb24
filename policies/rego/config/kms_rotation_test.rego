package guard.config.kms_rotation_test

import rego.v1

import data.guard.config.kms_rotation as p
import data.guard.testing as t

test_no_rotation_denied if {
	inp := t.terraform([t.tf("aws_kms_key", "k", {"enable_key_rotation": false})])
	count(p.deny) == 1 with input as inp
}

test_rotation_allowed if {
	inp := t.terraform([t.tf("aws_kms_key", "k", {"enable_key_rotation": true}), t.tf("aws_kms_key", "a", {"customer_master_key_spec": "RSA_2048"})])
	count(p.deny) == 0 with input as inp
}
