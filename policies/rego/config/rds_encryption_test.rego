package guard.config.rds_encryption_test

import rego.v1

import data.guard.config.rds_encryption as p
import data.guard.testing as t

test_unencrypted_denied if {
	inp := t.terraform([t.tf("aws_db_instance", "d", {"storage_encrypted": false}), t.tf("aws_rds_cluster", "c", {})])
	count(p.deny) == 2 with input as inp
}

test_encrypted_allowed if {
	inp := t.terraform([t.tf("aws_db_instance", "d", {"storage_encrypted": true})])
	count(p.deny) == 0 with input as inp
}

test_cloudformation if {
	bad := t.cloudformation([{"type": "AWS::RDS::DBInstance", "name": "D", "config": {}}])
	count(p.deny) == 1 with input as bad
	good := t.cloudformation([{"type": "AWS::RDS::DBInstance", "name": "D", "config": {"StorageEncrypted": "true"}}])
	count(p.deny) == 0 with input as good
}
