package guard.cloud.aws.ec2.admin_ports_test

import rego.v1

import data.guard.cloud.aws.ec2.admin_ports as p

sg(rule) := {"resources": [{"arn": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1", "account": "111122223333", "region": "us-east-1", "type": "aws_ec2_security_group", "attributes": {"group_id": "sg-1", "ingress": [rule]}}]}

test_ssh_from_anywhere_denied if {
	count(p.deny) == 1 with input as sg({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": []})
}

test_rdp_from_anywhere_ipv6_denied if {
	count(p.deny) == 1 with input as sg({"protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidrs": [], "ipv6_cidrs": ["::/0"]})
}

test_all_traffic_denied if {
	count(p.deny) == 1 with input as sg({"protocol": "-1", "from_port": null, "to_port": null, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": []})
}

test_https_from_anywhere_allowed if {
	count(p.deny) == 0 with input as sg({"protocol": "tcp", "from_port": 443, "to_port": 443, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": []})
}

test_ssh_from_office_allowed if {
	count(p.deny) == 0 with input as sg({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["203.0.113.0/24"], "ipv6_cidrs": []})
}
