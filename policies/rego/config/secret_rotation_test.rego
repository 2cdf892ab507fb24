package guard.config.secret_rotation_test

import rego.v1

import data.guard.config.secret_rotation as p
import data.guard.testing as t

test_unrotated_denied if {
	inp := t.terraform([t.tf("aws_secretsmanager_secret", "s", {})])
	count(p.deny) == 1 with input as inp
}

test_rotated_allowed if {
	inp := t.terraform([t.tf("aws_secretsmanager_secret", "s", {}), t.tf("aws_secretsmanager_secret_rotation", "r", {"secret_id": "${aws_secretsmanager_secret.s.id}"})])
	count(p.deny) == 0 with input as inp
}

test_cloudformation if {
	bad := t.cloudformation([{"type": "AWS::SecretsManager::Secret", "name": "S", "config": {}}])
	count(p.deny) == 1 with input as bad
	good := t.cloudformation([{"type": "AWS::SecretsManager::Secret", "name": "S", "config": {}}, {"type": "AWS::SecretsManager::RotationSchedule", "name": "R", "config": {"SecretId": {"Ref": "S"}}}])
	count(p.deny) == 0 with input as good
}
