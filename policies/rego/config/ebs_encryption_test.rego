package guard.config.ebs_encryption_test

import rego.v1

import data.guard.config.ebs_encryption as p
import data.guard.testing as t

test_unencrypted_denied if {
	inp := t.terraform([
		t.tf("aws_ebs_volume", "v", {"encrypted": false}),
		t.tf("aws_instance", "i", {"root_block_device": [{"volume_size": 8}]}),
	])
	count(p.deny) == 2 with input as inp
}

test_encrypted_allowed if {
	inp := t.terraform([
		t.tf("aws_ebs_volume", "v", {"encrypted": true}),
		t.tf("aws_instance", "i", {"root_block_device": [{"encrypted": true}]}),
	])
	count(p.deny) == 0 with input as inp
}
