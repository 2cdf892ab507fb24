# METADATA
# title: Traffic is encrypted in transit
# description: Load balancer listeners use HTTPS/TLS (or redirect HTTP to HTTPS) and CloudFront never serves plain HTTP to viewers.
# custom:
#   id: GUARD-TLS-001
#   severity: high
#   files: [terraform, cloudformation]
#   cwe: [CWE-319]
#   controls:
#     soc2: [CC6.7]
#     pci-dss: ["4.2.1"]
#     iso27001: [A.8.24, A.5.14]
#     gdpr: [Art. 32]
#   rationale: Account and personal data crossing public networks must be protected with strong cryptography.
package guard.config.https_only

import rego.v1

import data.guard.lib

redirects(listener) if {
	some a in lib.items(object.get(listener, "default_action", []))
	a.type == "redirect"
	some rd in lib.items(lib.get(a, "redirect", [{}]))
	upper(lib.text(lib.get(rd, "protocol", ""))) == "HTTPS"
}

deny contains violation if {
	some type in ["aws_lb_listener", "aws_alb_listener"]
	some [f, r] in lib.tf_resources(type)
	upper(lib.text(object.get(r.config, "protocol", "HTTP"))) == "HTTP"
	not redirects(r.config)
	violation := lib.result(f, r, ["protocol"], sprintf("listener %s serves plain HTTP", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.tf_resources("aws_cloudfront_distribution")
	some block in ["default_cache_behavior", "ordered_cache_behavior"]
	some i, b in lib.items(object.get(r.config, block, []))
	b.viewer_protocol_policy == "allow-all"
	violation := lib.result(f, r, [block, i, "viewer_protocol_policy"], sprintf("%s allows plain HTTP viewers", [r.address]))
}

deny contains violation if {
	some [f, r] in lib.cfn_resources("AWS::ElasticLoadBalancingV2::Listener")
	upper(lib.text(object.get(r.config, "Protocol", "HTTP"))) == "HTTP"
	not cfn_redirects(r.config)
	violation := lib.result(f, r, ["Protocol"], sprintf("listener %s serves plain HTTP", [r.name]))
}

cfn_redirects(listener) if {
	some a in lib.items(listener.DefaultActions)
	upper(lib.text(a.RedirectConfig.Protocol)) == "HTTPS"
}
