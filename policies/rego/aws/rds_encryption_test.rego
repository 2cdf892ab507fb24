package guard.cloud.aws.rds.encryption_test

import rego.v1

import data.guard.cloud.aws.rds.encryption as p

db(enc) := {"resources": [{"arn": "arn:aws:rds:us-east-1:111122223333:db:d", "account": "111122223333", "region": "us-east-1", "type": "aws_rds_db_instance", "attributes": {"identifier": "d", "storage_encrypted": enc}}]}

test_unencrypted_denied if {
	count(p.deny) == 1 with input as db(false)
}

test_encrypted_allowed if {
	count(p.deny) == 0 with input as db(true)
}
