# METADATA
# title: Admin ports are not open to the internet
# description: Security group ingress from 0.0.0.0/0 or ::/0 never includes SSH, RDP, database or cluster admin ports.
# custom:
#   id: GUARD-NET-001
#   severity: critical
#   files: [terraform, cloudformation]
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.6]
#     pci-dss: ["1.3.1", "1.2.1"]
#     iso27001: [A.8.20, A.8.22]
#     gdpr: [Art. 32]
#   rationale: Remote administration and database ports exposed to the internet are brute-forced within minutes.
package guard.config.sg_admin_ports

import rego.v1

import data.guard.lib

msg(address, rule) := sprintf("%s allows %v-%v from %s", [address, rule.from_port, rule.to_port, concat(", ", cidrs(rule))])

cidrs(rule) := array.concat(lib.items(lib.get(rule, "cidr_blocks", [])), lib.items(lib.get(rule, "ipv6_cidr_blocks", [])))

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_security_group")
	some i, rule in lib.items(object.get(r.config, "ingress", []))
	some c in cidrs(rule)
	lib.open_cidr(c)
	lib.opens_admin_port(rule.from_port, rule.to_port, lib.get(rule, "protocol", "tcp"))
	violation := lib.result(f, r, ["ingress", i], msg(r.address, rule))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_security_group_rule")
	r.config.type == "ingress"
	some c in cidrs(r.config)
	lib.open_cidr(c)
	lib.opens_admin_port(r.config.from_port, r.config.to_port, object.get(r.config, "protocol", "tcp"))
	violation := lib.result(f, r, ["cidr_blocks"], msg(r.address, r.config))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_vpc_security_group_ingress_rule")
	lib.open_cidr(object.get(r.config, "cidr_ipv4", object.get(r.config, "cidr_ipv6", "")))
	from := object.get(r.config, "from_port", 0)
	to := object.get(r.config, "to_port", 65535)
	lib.opens_admin_port(from, to, object.get(r.config, "ip_protocol", "tcp"))
	violation := lib.result(f, r, ["cidr_ipv4"], sprintf("%s allows %v-%v from the internet", [r.address, from, to]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::EC2::SecurityGroup")
	some i, rule in lib.items(object.get(r.config, "SecurityGroupIngress", []))
	cidr := lib.get(rule, "CidrIp", lib.get(rule, "CidrIpv6", ""))
	lib.open_cidr(cidr)
	from := lib.get(rule, "FromPort", 0) # IpProtocol -1 (every protocol) needs no ports
	to := lib.get(rule, "ToPort", 65535)
	lib.opens_admin_port(from, to, lib.get(rule, "IpProtocol", "tcp"))
	violation := lib.result(f, r, ["SecurityGroupIngress", i], sprintf("%s allows %v-%v from %s", [r.name, from, to, cidr]))
}
