package guard.cloud.aws.kms.key_rotation_test

import rego.v1

import data.guard.cloud.aws.kms.key_rotation as p

key(manager, rotation) := {"resources": [{"arn": "arn:aws:kms:us-east-1:111122223333:key/k", "account": "111122223333", "region": "us-east-1", "type": "aws_kms_key", "attributes": {"key_id": "k", "key_manager": manager, "rotation_enabled": rotation}}]}

test_unrotated_customer_key_denied if {
	count(p.deny) == 1 with input as key("CUSTOMER", false)
}

test_rotated_key_allowed if {
	count(p.deny) == 0 with input as key("CUSTOMER", true)
}

test_aws_managed_key_allowed if {
	count(p.deny) == 0 with input as key("AWS", null)
}
