import ssl

import httpx
import requests


def charge(url, payload):
    # ruleid: guard.python.tls-verify-disabled
    return requests.post(url, json=payload, verify=False, timeout=10)


def client():
    # ruleid: guard.python.tls-verify-disabled
    return httpx.Client(verify=False)


def context():
    # ruleid: guard.python.tls-verify-disabled
    return ssl._create_unverified_context()


def charge_ok(url, payload):
    # ok: guard.python.tls-verify-disabled
    return requests.post(url, json=payload, verify="/etc/ssl/certs/internal-ca.pem", timeout=10)


def context_ok():
    # ok: guard.python.tls-verify-disabled
    return ssl.create_default_context()
