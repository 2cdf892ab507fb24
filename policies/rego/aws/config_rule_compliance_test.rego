package guard.cloud.aws.config.rule_compliance_test

import rego.v1

import data.guard.cloud.aws.config.rule_compliance as p

rule(c) := {"resources": [{"arn": "arn:aws:config:us-east-1:111122223333:config-rule/config-rule-abc", "account": "111122223333", "region": "us-east-1", "type": "aws_config_rule", "attributes": {"name": "r", "compliance": c}}]}

test_noncompliant_denied if {
	count(p.deny) == 1 with input as rule("NON_COMPLIANT")
}

test_compliant_allowed if {
	count(p.deny) == 0 with input as rule("COMPLIANT")
}
