package guard.cloud.aws.cloudtrail.multi_region_test

import rego.v1

import data.guard.cloud.aws.cloudtrail.multi_region as p

region(trails) := {"resources": [{"arn": "arn:aws:cloudtrail:us-east-1:111122223333:account", "account": "111122223333", "region": "us-east-1", "type": "aws_cloudtrail_region", "attributes": {"trails": trails}}]}

test_no_trail_denied if {
	count(p.deny) == 1 with input as region([])
}

test_single_region_trail_denied if {
	count(p.deny) == 1 with input as region([{"arn": "t", "multi_region": false, "is_logging": true}])
}

test_stopped_trail_denied if {
	count(p.deny) == 1 with input as region([{"arn": "t", "multi_region": true, "is_logging": false}])
}

test_logging_multi_region_trail_allowed if {
	count(p.deny) == 0 with input as region([{"arn": "t", "multi_region": true, "is_logging": true}])
}
