# METADATA
# title: TLS 1.2 or later
# description: Load balancer SSL policies and CloudFront viewer certificates do not allow TLS 1.0 or 1.1.
# custom:
#   id: GUARD-TLS-002
#   severity: high
#   files: [terraform, cloudformation]
#   cwe: [CWE-327]
#   controls:
#     soc2: [CC6.7]
#     pci-dss: ["4.2.1"]
#     iso27001: [A.8.24]
#     gdpr: [Art. 32]
#   rationale: TLS 1.0 and 1.1 are not strong cryptography under PCI DSS and are disabled by modern clients.
package guard.config.tls_min_version

import rego.v1

import data.guard.lib

old_lb_policies := {
	"ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-TLS-1-0-2015-04",
	"ELBSecurityPolicy-TLS-1-1-2017-01", "ELBSecurityPolicy-FS-2018-06", "ELBSecurityPolicy-FS-1-1-2019-08",
}

old_cloudfront := {"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"}

deny contains violation if {
	some type in ["aws_lb_listener", "aws_alb_listener"]
	some [f, r] in lib.tf_resources(type)
	r.config.ssl_policy in old_lb_policies
	violation := lib.result(f, r, ["ssl_policy"], sprintf("%s uses outdated SSL policy %s", [r.address, r.config.ssl_policy]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_cloudfront_distribution")
	some i, v in lib.items(object.get(r.config, "viewer_certificate", []))
	lib.get(v, "minimum_protocol_version", "") in old_cloudfront
	violation := lib.result(f, r, ["viewer_certificate", i, "minimum_protocol_version"], sprintf("%s allows %s", [r.address, v.minimum_protocol_version]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::ElasticLoadBalancingV2::Listener")
	r.config.SslPolicy in old_lb_policies
	violation := lib.result(f, r, ["SslPolicy"], sprintf("%s uses outdated SSL policy %s", [r.name, r.config.SslPolicy]))
}
