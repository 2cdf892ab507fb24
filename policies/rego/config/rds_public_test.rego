package guard.config.rds_public_test

import rego.v1

import data.guard.config.rds_public as p
import data.guard.testing as t

test_public_denied if {
	inp := t.terraform([t.tf("aws_db_instance", "d", {"publicly_accessible": true})])
	count(p.deny) == 1 with input as inp
}

test_private_allowed if {
	inp := t.terraform([t.tf("aws_db_instance", "d", {"publicly_accessible": false}), t.tf("aws_db_instance", "e", {})])
	count(p.deny) == 0 with input as inp
}
