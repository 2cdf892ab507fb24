package guard.config.https_only_test

import rego.v1

import data.guard.config.https_only as p
import data.guard.testing as t

test_http_listener_denied if {
	inp := t.terraform([t.tf("aws_lb_listener", "l", {"port": 80, "protocol": "HTTP", "default_action": [{"type": "forward"}]})])
	count(p.deny) == 1 with input as inp
}

test_redirect_and_https_allowed if {
	inp := t.terraform([
		t.tf("aws_lb_listener", "r", {"protocol": "HTTP", "default_action": [{"type": "redirect", "redirect": [{"protocol": "HTTPS", "port": "443"}]}]}),
		t.tf("aws_lb_listener", "s", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
	])
	count(p.deny) == 0 with input as inp
}

test_cloudfront_allow_all_denied if {
	inp := t.terraform([t.tf("aws_cloudfront_distribution", "d", {"default_cache_behavior": [{"viewer_protocol_policy": "allow-all"}]})])
	count(p.deny) == 1 with input as inp
}
