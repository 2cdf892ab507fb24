variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "vpc_id" {
  type = string
}

variable "db_password" {
  type    = string
  default = "Sup3rS3cret!"
}
