package guard.cloud.aws.securityhub.enabled_test

import rego.v1

import data.guard.cloud.aws.securityhub.enabled as p

region(on) := {"resources": [{"arn": "arn:aws:securityhub:us-east-1:111122223333:account", "account": "111122223333", "region": "us-east-1", "type": "aws_securityhub_region", "attributes": {"enabled": on}}]}

test_disabled_denied if {
	count(p.deny) == 1 with input as region(false)
}

test_enabled_allowed if {
	count(p.deny) == 0 with input as region(true)
}
