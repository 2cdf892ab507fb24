resource "aws_s3_bucket" "images" {
  bucket = "acme-images"
  # ruleid: guard.terraform.s3-public-acl
  acl = "public-read"
}

resource "aws_s3_bucket" "exports" {
  bucket = "acme-exports"
  # ok: guard.terraform.s3-public-acl
  acl = "private"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "exports" {
  bucket = aws_s3_bucket.exports.id
  # ruleid: guard.terraform.s3-public-access-block-disabled
  block_public_acls = false
  # ok: guard.terraform.s3-public-access-block-disabled
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "images" {
  bucket = aws_s3_bucket.images.id
  versioning_configuration {
    # ruleid: guard.terraform.s3-versioning-disabled
    status = "Suspended"
  }
}

resource "aws_s3_bucket_versioning" "exports" {
  bucket = aws_s3_bucket.exports.id
  versioning_configuration {
    # ok: guard.terraform.s3-versioning-disabled
    status = "Enabled"
  }
}
