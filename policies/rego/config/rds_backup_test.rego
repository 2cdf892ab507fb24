package guard.config.rds_backup_test

import rego.v1

import data.guard.config.rds_backup as p
import data.guard.testing as t

test_no_backups_denied if {
	inp := t.terraform([t.tf("aws_db_instance", "d", {"backup_retention_period": 0}), t.tf("aws_db_instance", "e", {})])
	count(p.deny) == 2 with input as inp
}

test_week_of_backups_allowed if {
	inp := t.terraform([t.tf("aws_db_instance", "d", {"backup_retention_period": 7})])
	count(p.deny) == 0 with input as inp
}
