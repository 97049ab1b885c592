"""VAPID keys: given by settings, or generated once and kept in the data dir (mode 0600)."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from accounts.vault import create_private_file

KEY_FILE = "vapid-private.pem"


def b64url(data: bytes) -> str:
    """Unpadded base64url, the encoding of every key on the Web Push wire."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; ValueError on anything else."""
    if not isinstance(text, str) or not text or len(text) > 1024:
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    if any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in stripped):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def load_vapid(data_dir: Path, private_key: str | None = None) -> Vapid:
    """The one Vapid signer: from the configured key, else from data_dir, else freshly made and saved."""
    if private_key:
        return Vapid.from_string(private_key)
    path = data_dir / KEY_FILE
    if not path.exists():
        vapid = Vapid()
        vapid.generate_keys()
        pem = vapid.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if create_private_file(path, pem):
            return vapid
    return Vapid.from_file(str(path))


def application_server_key(vapid: Vapid) -> str:
    """The public key as browsers want it for `applicationServerKey` (uncompressed point, base64url)."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)
