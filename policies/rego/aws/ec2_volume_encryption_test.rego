package guard.cloud.aws.ec2.volume_encryption_test

import rego.v1

import data.guard.cloud.aws.ec2.volume_encryption as p

volume(enc) := {"resources": [{"arn": "arn:aws:ec2:us-east-1:111122223333:volume/vol-1", "account": "111122223333", "region": "us-east-1", "type": "aws_ec2_volume", "attributes": {"volume_id": "vol-1", "encrypted": enc}}]}

test_unencrypted_denied if {
	count(p.deny) == 1 with input as volume(false)
}

test_encrypted_allowed if {
	count(p.deny) == 0 with input as volume(true)
}
