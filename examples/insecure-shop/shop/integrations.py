"""Outbound integrations: payment provider, image thumbnails, import jobs."""
import logging
import os
import pickle
import subprocess
import tempfile

import requests
import yaml

from . import settings

log = logging.getLogger("shop.integrations")


def charge(card_number: str, cvv: str, amount: float, email: str) -> dict:
    log.debug("charging card=%s cvv=%s email=%s", card_number, cvv, email)
    resp = requests.post(
        settings.PAYMENT_API + "/charges",
        json={"card": card_number, "cvv": cvv, "amount": amount},
        verify=False,
        timeout=10,
    )
    return resp.json()


def fetch_supplier_feed(url: str) -> bytes:
    # url comes straight from the admin form
    return requests.get(url, verify=False).content


def load_catalog(raw: str) -> dict:
    return yaml.load(raw)


def load_cart(blob: bytes):
    return pickle.loads(blob)


def make_thumbnail(filename: str) -> str:
    out = tempfile.mktemp(suffix=".png")
    subprocess.call("convert uploads/%s -resize 128x128 %s" % (filename, out), shell=True)
    return out


def export_orders(fmt: str) -> str:
    return subprocess.check_output("shop-export --format " + fmt, shell=True).decode()


def cleanup_uploads() -> None:
    os.system("rm -rf /tmp/shop-uploads/*")
