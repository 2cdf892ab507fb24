resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = var.vpc_id

  # ruleid: guard.terraform.sg-admin-port-open-to-world
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  # ruleid: guard.terraform.sg-admin-port-open-to-world
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  # ok: guard.terraform.sg-admin-port-open-to-world
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  # ok: guard.terraform.sg-admin-port-open-to-world
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.20.0.0/16"]
  }
}
