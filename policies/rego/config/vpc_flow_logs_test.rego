package guard.config.vpc_flow_logs_test

import rego.v1

import data.guard.config.vpc_flow_logs as p
import data.guard.testing as t

test_no_flow_log_denied if {
	inp := t.terraform([t.tf("aws_vpc", "v", {"cidr_block": "10.0.0.0/16"})])
	count(p.deny) == 1 with input as inp
}

test_flow_log_allowed if {
	inp := t.terraform([t.tf("aws_vpc", "v", {}), t.tf("aws_flow_log", "f", {"vpc_id": "${aws_vpc.v.id}"})])
	count(p.deny) == 0 with input as inp
}
