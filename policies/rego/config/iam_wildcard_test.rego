package guard.config.iam_wildcard_test

import rego.v1

import data.guard.config.iam_wildcard as p
import data.guard.testing as t

test_admin_policy_denied if {
	doc := {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
	inp := t.terraform([t.tf("aws_iam_policy", "a", {"policy": doc}), t.tf("aws_iam_role_policy", "b", {"policy": json.marshal(doc)})])
	count(p.deny) == 2 with input as inp
}

test_policy_document_denied if {
	inp := t.terraform([t.tf("aws_iam_policy_document", "d", {"statement": [{"actions": ["s3:*"], "resources": ["*"]}]})])
	count(p.deny) == 1 with input as inp
}

test_scoped_policy_allowed if {
	doc := {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}
	inp := t.terraform([t.tf("aws_iam_policy", "a", {"policy": doc})])
	count(p.deny) == 0 with input as inp
}
