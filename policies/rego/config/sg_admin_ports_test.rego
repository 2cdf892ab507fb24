package guard.config.sg_admin_ports_test

import rego.v1

import data.guard.config.sg_admin_ports as p
import data.guard.testing as t

test_open_ssh_denied if {
	inp := t.terraform([t.tf("aws_security_group", "s", {"ingress": [
		{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
		{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
	]})])
	count(p.deny) == 1 with input as inp
}

test_all_protocols_denied if {
	inp := t.terraform([t.tf("aws_security_group_rule", "r", {"type": "ingress", "from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]})])
	count(p.deny) == 1 with input as inp
}

test_private_ssh_allowed if {
	inp := t.terraform([t.tf("aws_security_group", "s", {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}]})])
	count(p.deny) == 0 with input as inp
}

test_cloudformation if {
	bad := t.cloudformation([{"type": "AWS::EC2::SecurityGroup", "name": "S", "config": {"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "CidrIp": "0.0.0.0/0"}]}}])
	count(p.deny) == 1 with input as bad
	good := t.cloudformation([{"type": "AWS::EC2::SecurityGroup", "name": "S", "config": {"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}}])
	count(p.deny) == 0 with input as good
}

test_cloudformation_every_protocol_without_ports_denied_beside_others if {
	# IpProtocol -1 needs no FromPort/ToPort; a message naming them once dropped every violation
	inp := t.cloudformation([
		{"type": "AWS::EC2::SecurityGroup", "name": "All", "config": {"SecurityGroupIngress": [{"IpProtocol": -1, "CidrIp": "0.0.0.0/0"}]}},
		{"type": "AWS::EC2::SecurityGroup", "name": "Ssh", "config": {"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}},
	])
	{v.msg | some v in p.deny} == {"All allows 0-65535 from 0.0.0.0/0", "Ssh allows 22-22 from 0.0.0.0/0"} with input as inp
}
