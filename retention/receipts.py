"""Message receipts: an HMAC of the message id in each payload, so the service worker can report
shown/clicked without holding the shopper's bearer token (it proves the device got that message)."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import serialization

from .vapid_keys import b64url


def receipt_key_from(vapid) -> bytes:
    """A receipt key derived from the VAPID private key (no second secret to keep)."""
    der = vapid.private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return hashlib.sha256(b"lastmile push receipts\x00" + der).digest()


def receipt_for(key: bytes, message_id: int) -> str:
    """The receipt of one message (128 bits, base64url)."""
    return b64url(hmac.new(key, f"message:{message_id}".encode(), hashlib.sha256).digest()[:16])


def receipt_ok(key: bytes, message_id: int, receipt: str | None) -> bool:
    """True when ``receipt`` is this message's (constant-time compare)."""
    return bool(key) and receipt is not None and hmac.compare_digest(receipt_for(key, message_id), receipt)
