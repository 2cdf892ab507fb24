resource "aws_db_instance" "shop" {
  identifier     = "shop-db"
  engine         = "mysql"
  instance_class = "db.t3.micro"
  # ruleid: guard.terraform.rds-publicly-accessible
  publicly_accessible = true
  # ruleid: guard.terraform.rds-storage-not-encrypted
  storage_encrypted = false
}

resource "aws_db_instance" "reports" {
  identifier     = "reports-db"
  engine         = "postgres"
  instance_class = "db.t3.micro"
  # ok: guard.terraform.rds-publicly-accessible
  publicly_accessible = false
  # ok: guard.terraform.rds-storage-not-encrypted
  storage_encrypted = true
}

resource "aws_ebs_volume" "uploads" {
  availability_zone = "eu-west-1a"
  size              = 50
  # ruleid: guard.terraform.ebs-volume-not-encrypted
  encrypted = false
}

resource "aws_ebs_volume" "cache" {
  availability_zone = "eu-west-1a"
  size              = 20
  # ok: guard.terraform.ebs-volume-not-encrypted
  encrypted = true
}
