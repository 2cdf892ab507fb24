package guard.config.data_classification_test

import rego.v1

import data.guard.config.data_classification as p
import data.guard.testing as t

test_untagged_denied if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {"tags": {"app": "shop"}}), t.tf("aws_db_instance", "d", {})])
	count(p.deny) == 2 with input as inp
}

test_tagged_allowed if {
	inp := t.terraform([t.tf("aws_s3_bucket", "b", {"tags": {"data_classification": "confidential"}})])
	count(p.deny) == 0 with input as inp
}

test_cloudformation if {
	bad := t.cloudformation([{"type": "AWS::DynamoDB::Table", "name": "T", "config": {"Tags": [{"Key": "app", "Value": "x"}]}}])
	count(p.deny) == 1 with input as bad
	good := t.cloudformation([{"type": "AWS::DynamoDB::Table", "name": "T", "config": {"Tags": [{"Key": "DataClassification", "Value": "pii"}]}}])
	count(p.deny) == 0 with input as good
}
