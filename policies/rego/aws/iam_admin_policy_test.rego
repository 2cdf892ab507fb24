package guard.cloud.aws.iam.admin_policy_test

import rego.v1

import data.guard.cloud.aws.iam.admin_policy as p

policy(actions) := {"resources": [{"arn": "arn:aws:iam::111122223333:policy/p", "account": "111122223333", "region": "global", "type": "aws_iam_policy", "attributes": {"name": "p", "attachment_count": 1, "statements": [{"effect": "Allow", "actions": actions, "not_actions": [], "resources": ["*"], "has_condition": false}]}}]}

test_star_star_denied if {
	count(p.deny) == 1 with input as policy(["*"])
}

test_scoped_actions_allowed if {
	count(p.deny) == 0 with input as policy(["s3:GetObject"])
}
