resource "aws_kms_key" "data" {
  description = "shop data"
  # ruleid: guard.terraform.kms-key-rotation-disabled
  enable_key_rotation = false
}

resource "aws_kms_key" "logs" {
  description = "shop logs"
  # ok: guard.terraform.kms-key-rotation-disabled
  enable_key_rotation = true
}

resource "aws_iam_policy" "app" {
  name = "shop-app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        # ruleid: guard.terraform.iam-wildcard-action
        Action   = "*"
        Resource = "*"
      },
      {
        Effect = "Allow"
        # ok: guard.terraform.iam-wildcard-action
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:aws:s3:::acme-exports/*"
      },
    ]
  })
}

data "aws_iam_policy_document" "ops" {
  statement {
    effect = "Allow"
    # ruleid: guard.terraform.iam-wildcard-action
    actions   = ["ec2:*"]
    resources = ["*"]
  }
  statement {
    effect = "Allow"
    # ok: guard.terraform.iam-wildcard-action
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "acme-trail"
  # ruleid: guard.terraform.cloudtrail-log-validation-disabled
  enable_log_file_validation = false
}

resource "aws_cloudtrail" "org" {
  name           = "org"
  s3_bucket_name = "acme-org-trail"
  # ok: guard.terraform.cloudtrail-log-validation-disabled
  enable_log_file_validation = true
}

variable "db_password" {
  type = string
  # ruleid: guard.terraform.hardcoded-credentials
  default = "Sup3rS3cret!"
}

variable "region" {
  type = string
  # ok: guard.terraform.hardcoded-credentials
  default = "eu-west-1"
}

resource "aws_db_instance" "legacy" {
  identifier        = "legacy"
  storage_encrypted = true
  # ruleid: guard.terraform.hardcoded-credentials
  password = "hunter2-prod"
}

resource "aws_db_instance" "modern" {
  identifier        = "modern"
  storage_encrypted = true
  # ok: guard.terraform.hardcoded-credentials
  password = var.db_password
}
