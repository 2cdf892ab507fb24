package guard.config.tls_min_version_test

import rego.v1

import data.guard.config.tls_min_version as p
import data.guard.testing as t

test_old_policies_denied if {
	inp := t.terraform([
		t.tf("aws_lb_listener", "l", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-2016-08"}),
		t.tf("aws_cloudfront_distribution", "d", {"viewer_certificate": [{"minimum_protocol_version": "TLSv1"}]}),
	])
	count(p.deny) == 2 with input as inp
}

test_modern_policies_allowed if {
	inp := t.terraform([
		t.tf("aws_lb_listener", "l", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
		t.tf("aws_cloudfront_distribution", "d", {"viewer_certificate": [{"minimum_protocol_version": "TLSv1.2_2021"}]}),
	])
	count(p.deny) == 0 with input as inp
}
