# METADATA
# title: Admin ports are not open to the internet
# description: No security group allows ingress from 0.0.0.0/0 or ::/0 to an administrative or database port (SSH 22, RDP 3389, telnet, database and cluster ports) or to all traffic.
# custom:
#   id: GUARD-AWS-EC2-001
#   severity: critical
#   cwe: [CWE-284]
#   controls:
#     soc2: [CC6.6]
#     pci-dss: ["1.3.1"]
#     iso27001: [A.8.20, A.8.22]
#     gdpr: [Art. 32]
#   rationale: Internet-wide scanners find open SSH and RDP within minutes and brute-force them.
package guard.cloud.aws.ec2.admin_ports

import rego.v1

import data.guard.cloud.aws.lib
import data.guard.lib as common

deny contains violation if {
	some r in lib.resources("aws_ec2_security_group")
	some p in r.attributes.ingress
	some cidr in array.concat(p.cidrs, p.ipv6_cidrs)
	common.open_cidr(cidr)
	opens(p)
	violation := lib.result(r, sprintf("security group %s allows %s %v-%v from %s", [r.attributes.group_id, p.protocol, object.get(p, "from_port", "all"), object.get(p, "to_port", "all"), cidr]))
}

opens(p) if p.protocol == "-1"

opens(p) if {
	p.protocol != "-1"
	common.opens_admin_port(p.from_port, p.to_port, p.protocol)
}
