"""Ed25519 signatures over canonical manifest bytes; key generation and loading.

The private key comes from a PEM file, `GUARD_EVIDENCE_KEY` (PEM text) or
`GUARD_EVIDENCE_KEY_FILE` (a path). A signature file records the algorithm, the signer's
public key and its id (first 16 hex digits of the sha256 of the raw public key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "ed25519"
ENV_KEY = "GUARD_EVIDENCE_KEY"
ENV_KEY_FILE = "GUARD_EVIDENCE_KEY_FILE"


class SigningError(Exception):
    """A key cannot be read or created."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def keygen(prefix: Path) -> tuple[Path, Path]:
    """Write PREFIX.key (private, mode 0600) and PREFIX.pub (public), both PEM; refuse to overwrite."""
    private_path, public_path = Path(f"{prefix}.key"), Path(f"{prefix}.pub")
    for path in (private_path, public_path):
        if path.exists():
            raise SigningError(f"{path}: already exists; not overwriting a key")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        private_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private_pem)
        public_path.write_bytes(public_pem)
    except OSError as exc:
        raise SigningError(f"{prefix}: cannot write key: {exc.strerror or exc}") from None
    return private_path, public_path


def load_private_key(data: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{where}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{where}: not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key from a PEM file (a private key file is accepted too)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read: {exc.strerror}") from None
    if b"PRIVATE KEY" in data:
        return load_private_key(data, str(path)).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path}: not an Ed25519 key")
    return key


def private_key_from(path: Path | None, env: Mapping[str, str] | None = None) -> Ed25519PrivateKey | None:
    """The signing key: an explicit file, else GUARD_EVIDENCE_KEY, else GUARD_EVIDENCE_KEY_FILE, else None."""
    env = os.environ if env is None else env
    if path is None and env.get(ENV_KEY):
        return load_private_key(env[ENV_KEY].encode(), ENV_KEY)
    if path is None and env.get(ENV_KEY_FILE):
        path = Path(env[ENV_KEY_FILE])
    if path is None:
        return None
    try:
        return load_private_key(path.read_bytes(), str(path))
    except OSError as exc:
        raise SigningError(f"{path}: cannot read: {exc.strerror}") from None


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """The signature file's bytes for `data`."""
    public = key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    doc = {"algorithm": ALGORITHM, "key_id": key_id(public), "public_key": base64.b64encode(raw).decode(),
           "signature": base64.b64encode(key.sign(data)).decode()}
    return json.dumps(doc, indent=2).encode() + b"\n"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    ok: bool
    key_id: str
    reason: str = ""


def check(signature_file: bytes, data: bytes, trusted: Ed25519PublicKey | None) -> SignatureCheck:
    """Verify a signature file over `data`; with `trusted`, the signer must be that key."""
    try:
        doc = json.loads(signature_file)
        if doc.get("algorithm") != ALGORITHM:
            return SignatureCheck(False, "", f"unsupported algorithm {doc.get('algorithm')!r}")
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(doc["public_key"], validate=True))
        signature = base64.b64decode(doc["signature"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        return SignatureCheck(False, "", "malformed signature file")
    kid = key_id(public)
    if trusted is not None and key_id(trusted) != kid:
        return SignatureCheck(False, kid, f"signed by key {kid}, not by the given key {key_id(trusted)}")
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return SignatureCheck(False, kid, "bad signature (manifest or signature altered)")
    return SignatureCheck(True, kid)
