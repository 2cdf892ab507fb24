package guard.cloud.aws.secretsmanager.rotation_test

import rego.v1

import data.guard.cloud.aws.secretsmanager.rotation as p

secret(on) := {"resources": [{"arn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-abc", "account": "111122223333", "region": "us-east-1", "type": "aws_secretsmanager_secret", "attributes": {"name": "s", "rotation_enabled": on}}]}

test_unrotated_denied if {
	count(p.deny) == 1 with input as secret(false)
}

test_rotated_allowed if {
	count(p.deny) == 0 with input as secret(true)
}
