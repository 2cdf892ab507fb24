import os

# ruleid: guard.python.hardcoded-credential
DB_PASSWORD = "Sup3rS3cret!"

# ok: guard.python.hardcoded-credential
DB_PASSWORD_ENV = os.environ["DB_PASSWORD"]

# ok: guard.python.hardcoded-credential
SMTP_PASSWORD = ""


def connect(client):
    # ruleid: guard.python.hardcoded-credential
    return client.login(user="shop", password="hunter2-prod")


def manager(DBManager):
    # ok: guard.python.hardcoded-credential
    return DBManager(password_file="/run/secrets/db-password", api_key_env="SHOP_API_KEY")


# ruleid: guard.python.hardcoded-credential
SECRET_FILENAME_SALT = "c2VjcmV0LXNhbHQ"


def secret_path(client, project):  # the version of the secret named by SECRET_NAME
    # ok: guard.python.hardcoded-credential
    return client.secret_version_path(project=project, secret=SECRET_NAME, secret_version="latest")


# ok: guard.python.hardcoded-credential
API_KEY_ID = "prod-payments"


class Tags:
    # ok: guard.python.hardcoded-credential
    PasswordReset = "account:password:reset"
    # ok: guard.python.hardcoded-credential
    CompromisedPassword = "password compromised"
    # ok: guard.python.hardcoded-credential
    _totp_secret_key = "_totp_secret"


# ruleid: guard.python.embedded-secret-token
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"

# ruleid: guard.python.embedded-secret-token
RELEASE_TOKEN_VALUE = "ghp_4xV9kQ2mZ7rT1yP8wL3nB6cD0fH5jK2sA9eG"

# ruleid: guard.python.embedded-secret-token
PEM = """-----BEGIN RSA PRIVATE KEY-----
MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu
-----END RSA PRIVATE KEY-----"""

# ok: guard.python.embedded-secret-token
AWS_REGION = "eu-west-1"
