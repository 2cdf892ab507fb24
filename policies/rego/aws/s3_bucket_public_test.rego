package guard.cloud.aws.s3.bucket_public_test

import rego.v1

import data.guard.cloud.aws.s3.bucket_public as p

bucket(grants, pab) := {"resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "region": "us-east-1", "type": "aws_s3_bucket", "attributes": {"name": "b", "acl_grants": grants, "policy_is_public": false, "public_access_block": pab, "account_public_access_block": null}}]}

public_read := [{"grantee_type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]

test_public_acl_denied if {
	count(p.deny) == 1 with input as bucket(public_read, null)
}

test_public_acl_ignored_by_block_allowed if {
	count(p.deny) == 0 with input as bucket(public_read, {"IgnorePublicAcls": true})
}

test_private_allowed if {
	count(p.deny) == 0 with input as bucket([{"grantee_type": "CanonicalUser", "uri": null, "permission": "FULL_CONTROL"}], null)
}
