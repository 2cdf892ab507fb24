package guard.cloud.aws.logs.retention_test

import rego.v1

import data.guard.cloud.aws.logs.retention as p

group(days) := {"resources": [{"arn": "arn:aws:logs:us-east-1:111122223333:log-group:g", "account": "111122223333", "region": "us-east-1", "type": "aws_logs_log_group", "attributes": {"name": "g", "retention_in_days": days}}]}

test_unset_denied if {
	count(p.deny) == 1 with input as group(null)
}

test_short_denied if {
	count(p.deny) == 1 with input as group(30)
}

test_year_allowed if {
	count(p.deny) == 0 with input as group(365)
}
