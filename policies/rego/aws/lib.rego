# Helpers for the AWS cloud policies: input is {"resources": [{arn, account, region, type, attributes}]}
# (see guard/cloud/README.md).
package guard.cloud.aws.lib

import rego.v1

# Resources of one type.
resources(type) := [r | some r in input.resources; r.type == type]

# A cloud-policy result: the message and the resource's ARN.
result(r, msg) := {"msg": msg, "resource": r.arn}

# A result whose message changes between collections (an age, a count): `key` names what it is
# about on the resource, so its fingerprint (baselines, waivers) stays the same.
keyed_result(r, key, msg) := {"msg": msg, "resource": r.arn, "key": key}

# All four settings of an S3 public access block are on.
blocks_all(pab) if {
	pab.BlockPublicAcls == true
	pab.IgnorePublicAcls == true
	pab.BlockPublicPolicy == true
	pab.RestrictPublicBuckets == true
}
