import base64
import json
import marshal
import pickle


def load_cart(request):
    blob = base64.b64decode(request.cookies.get("cart", ""))
    # ruleid: guard.python.insecure-deserialization
    return pickle.loads(blob)


def load_code(data):
    # ruleid: guard.python.insecure-deserialization
    return marshal.loads(data)


def load_cart_json(request):
    # ok: guard.python.insecure-deserialization
    return json.loads(request.cookies.get("cart", "[]"))


def save_cart(cart):
    # ok: guard.python.insecure-deserialization
    return pickle.dumps(cart)
