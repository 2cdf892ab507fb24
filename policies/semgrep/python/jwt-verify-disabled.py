import jwt


def user_from(token):
    # ruleid: guard.python.jwt-verify-disabled
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"]


def user_from_none(token, key):
    # ruleid: guard.python.jwt-verify-disabled
    return jwt.decode(token, key, algorithms=["HS256", "none"])


def user_from_ok(token, key):
    # ok: guard.python.jwt-verify-disabled
    return jwt.decode(token, key, algorithms=["HS256"])
