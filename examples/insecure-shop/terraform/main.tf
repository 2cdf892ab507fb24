# Infrastructure of the Acme shop (deliberately insecure example).

resource "aws_s3_bucket" "product_images" {
  bucket = "acme-shop-product-images"
  acl    = "public-read"

  tags = {
    app = "shop"
  }
}

resource "aws_s3_bucket" "order_exports" {
  bucket = "acme-shop-order-exports"
}

resource "aws_s3_bucket_public_access_block" "order_exports" {
  bucket                  = aws_s3_bucket.order_exports.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}

resource "aws_security_group" "shop" {
  name        = "shop-web"
  description = "shop web servers"
  vpc_id      = var.vpc_id

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "rdp"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "shop" {
  identifier             = "shop-db"
  engine                 = "mysql"
  engine_version         = "5.7"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  username               = "admin"
  password               = var.db_password
  publicly_accessible    = true
  storage_encrypted      = false
  skip_final_snapshot    = true
  backup_retention_period = 0
  vpc_security_group_ids = [aws_security_group.shop.id]
}

resource "aws_ebs_volume" "uploads" {
  availability_zone = "${var.region}a"
  size              = 50
  encrypted         = false
}

resource "aws_kms_key" "shop" {
  description         = "shop data key"
  enable_key_rotation = false
}

resource "aws_iam_policy" "shop_app" {
  name = "shop-app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
    ]
  })
}

resource "aws_cloudtrail" "shop" {
  name                          = "shop-trail"
  s3_bucket_name                = aws_s3_bucket.order_exports.id
  include_global_service_events = false
  is_multi_region_trail         = false
  enable_log_file_validation    = false
}
