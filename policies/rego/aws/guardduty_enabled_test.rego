package guard.cloud.aws.guardduty.enabled_test

import rego.v1

import data.guard.cloud.aws.guardduty.enabled as p

region(detectors) := {"resources": [{"arn": "arn:aws:guardduty:us-east-1:111122223333:account", "account": "111122223333", "region": "us-east-1", "type": "aws_guardduty_region", "attributes": {"detectors": detectors}}]}

test_no_detector_denied if {
	count(p.deny) == 1 with input as region([])
}

test_disabled_detector_denied if {
	count(p.deny) == 1 with input as region([{"id": "d", "status": "DISABLED"}])
}

test_enabled_allowed if {
	count(p.deny) == 0 with input as region([{"id": "d", "status": "ENABLED"}])
}
