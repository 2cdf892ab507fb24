package guard.cloud.aws.rds.public_test

import rego.v1

import data.guard.cloud.aws.rds.public as p

db(public) := {"resources": [{"arn": "arn:aws:rds:us-east-1:111122223333:db:d", "account": "111122223333", "region": "us-east-1", "type": "aws_rds_db_instance", "attributes": {"identifier": "d", "publicly_accessible": public}}]}

test_public_denied if {
	count(p.deny) == 1 with input as db(true)
}

test_private_allowed if {
	count(p.deny) == 0 with input as db(false)
}
