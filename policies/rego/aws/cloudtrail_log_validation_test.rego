package guard.cloud.aws.cloudtrail.log_validation_test

import rego.v1

import data.guard.cloud.aws.cloudtrail.log_validation as p

trail(on) := {"resources": [{"arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", "account": "111122223333", "region": "us-east-1", "type": "aws_cloudtrail_trail", "attributes": {"name": "t", "log_file_validation": on}}]}

test_without_validation_denied if {
	count(p.deny) == 1 with input as trail(false)
}

test_with_validation_allowed if {
	count(p.deny) == 0 with input as trail(true)
}
