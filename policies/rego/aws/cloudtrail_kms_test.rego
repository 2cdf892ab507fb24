package guard.cloud.aws.cloudtrail.kms_test

import rego.v1

import data.guard.cloud.aws.cloudtrail.kms as p

trail(key) := {"resources": [{"arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", "account": "111122223333", "region": "us-east-1", "type": "aws_cloudtrail_trail", "attributes": {"name": "t", "kms_key_id": key}}]}

test_without_kms_denied if {
	count(p.deny) == 1 with input as trail(null)
}

test_with_kms_allowed if {
	count(p.deny) == 0 with input as trail("arn:aws:kms:us-east-1:111122223333:key/k")
}
