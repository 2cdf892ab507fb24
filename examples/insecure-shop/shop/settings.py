"""Configuration for the shop. Values are hard-coded for "convenience"."""
import os

DATABASE_PATH = os.environ.get("SHOP_DB", "/var/lib/shop/shop.db")

# Object storage for product images.
AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS_REGION = "eu-west-1"

# Token used by the release bot to tag images.
GITHUB_TOKEN = "ghp_4xV9kQ2mZ7rT1yP8wL3nB6cD0fH5jK2sA9eG"

PAYMENT_API = "https://payments.internal.example.com/v1"
SECRET_KEY = "changeme-shop-secret"

# Signing key for order receipts.
RECEIPT_SIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo
9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvre
dZdIyd4AdjtLWhRYdwf5Ks6B3yHzuivyBPV4Gw+UJ8LnlMOhjntr6lpxsX2+u3fj
ZjtEc9Z9xlQ8FpCr0Y7jvG5MQEXAMPLEONLYxAKEKEYFORTESTINGDONOTUSE00
-----END RSA PRIVATE KEY-----"""
