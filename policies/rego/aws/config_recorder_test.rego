package guard.cloud.aws.config.recorder_test

import rego.v1

import data.guard.cloud.aws.config.recorder as p

region(recorders) := {"resources": [{"arn": "arn:aws:config:us-east-1:111122223333:account", "account": "111122223333", "region": "us-east-1", "type": "aws_config_region", "attributes": {"recorders": recorders}}]}

test_no_recorder_denied if {
	count(p.deny) == 1 with input as region([])
}

test_stopped_recorder_denied if {
	count(p.deny) == 1 with input as region([{"name": "default", "all_supported": true, "recording": false}])
}

test_recording_allowed if {
	count(p.deny) == 0 with input as region([{"name": "default", "all_supported": true, "recording": true}])
}
