package guard.cloud.aws.rds.backup_test

import rego.v1

import data.guard.cloud.aws.rds.backup as p

db(days) := {"resources": [{"arn": "arn:aws:rds:us-east-1:111122223333:db:d", "account": "111122223333", "region": "us-east-1", "type": "aws_rds_db_instance", "attributes": {"identifier": "d", "backup_retention_period": days}}]}

test_no_backups_denied if {
	count(p.deny) == 1 with input as db(0)
}

test_week_of_backups_allowed if {
	count(p.deny) == 0 with input as db(7)
}
