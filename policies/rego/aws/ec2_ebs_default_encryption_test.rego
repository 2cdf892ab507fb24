package guard.cloud.aws.ec2.ebs_default_encryption_test

import rego.v1

import data.guard.cloud.aws.ec2.ebs_default_encryption as p

region(on) := {"resources": [{"arn": "arn:aws:ec2:us-east-1:111122223333:account", "account": "111122223333", "region": "us-east-1", "type": "aws_ec2_region", "attributes": {"ebs_encryption_by_default": on}}]}

test_off_denied if {
	count(p.deny) == 1 with input as region(false)
}

test_on_allowed if {
	count(p.deny) == 0 with input as region(true)
}
