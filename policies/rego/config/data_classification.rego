# METADATA
# title: Data stores carry a data classification tag
# description: S3 buckets, databases, DynamoDB tables, EBS and EFS volumes have a data_classification (or DataClassification) tag.
# custom:
#   id: GUARD-DATA-001
#   severity: low
#   files: [terraform, cloudformation]
#   controls:
#     soc2: [C1.1]
#     iso27001: [A.5.12, A.5.13]
#     gdpr: [Art. 30]
#   rationale: Controls follow classification; an unlabelled store of personal or cardholder data is easy to miss in scope and in records of processing.
package guard.config.data_classification

import rego.v1

import data.guard.lib

tf_stores := ["aws_s3_bucket", "aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table", "aws_ebs_volume", "aws_efs_file_system"]

cfn_stores := ["AWS::S3::Bucket", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DynamoDB::Table", "AWS::EC2::Volume", "AWS::EFS::FileSystem"]

classified(config) if {
	some k in lib.tag_keys(config)
	k in {"data_classification", "dataclassification", "data-classification", "classification"}
}

deny contains violation if {
	some type in tf_stores
	some [f, r] in lib.tf_resources(type)
	not classified(r.config)
	violation := lib.result(f, r, ["tags"], sprintf("%s has no data_classification tag", [r.address]))
}

deny contains violation if {
	some type in cfn_stores
	some [f, r] in lib.cfn_resources(type)
	not classified(r.config)
	violation := lib.result(f, r, ["Tags"], sprintf("%s has no DataClassification tag", [r.name]))
}
