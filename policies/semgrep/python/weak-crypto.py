import hashlib
import random
import secrets
import string

from Crypto.Cipher import AES, DES
from Crypto.PublicKey import RSA
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def hash_password(password):
    # ruleid: guard.python.weak-hash
    return hashlib.md5(password.encode()).hexdigest()


def token_digest(token):
    # ruleid: guard.python.weak-hash
    return hashlib.sha1(token.encode()).hexdigest()


def cache_key(path):
    # ok: guard.python.weak-hash
    return hashlib.md5(path.encode(), usedforsecurity=False).hexdigest()


def hash_password_ok(password, salt):
    # ok: guard.python.weak-hash
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def legacy_encrypt(key, data):
    # ruleid: guard.python.weak-cipher
    return DES.new(key, DES.MODE_CBC).encrypt(data)


def legacy_encrypt2(key):
    # ruleid: guard.python.weak-cipher
    return Cipher(algorithms.TripleDES(key), modes.CBC(b"\0" * 8))


def modern_encrypt(key, iv):
    # ok: guard.python.weak-cipher
    return Cipher(algorithms.AES(key), modes.GCM(iv))


def ecb(key):
    # ruleid: guard.python.ecb-mode
    return Cipher(algorithms.AES(key), modes.ECB())


def ecb2(key):
    # ruleid: guard.python.ecb-mode
    return AES.new(key, AES.MODE_ECB)


def gcm(key):
    # ok: guard.python.ecb-mode
    return AES.new(key, AES.MODE_GCM)


def small_key():
    # ruleid: guard.python.rsa-small-key
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def small_key2():
    # ruleid: guard.python.rsa-small-key
    return RSA.generate(512)


def good_key():
    # ok: guard.python.rsa-small-key
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def reset_token():
    # ruleid: guard.python.insecure-random-token
    return "".join(random.choice(string.ascii_letters) for _ in range(32))


def issue(user):
    # ruleid: guard.python.insecure-random-token
    user.session_id = str(random.getrandbits(64))


def reset_token_ok():
    # ok: guard.python.insecure-random-token
    return secrets.token_urlsafe(32)


def shuffle_products(items):
    # ok: guard.python.insecure-random-token
    picked = random.sample(items, 3)
    return picked
