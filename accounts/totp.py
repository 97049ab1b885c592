"""TOTP (RFC 6238) through `cryptography`: secrets, provisioning URIs, codes checked ±1 step."""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

STEP = 30
DIGITS = 6
WINDOW = 1
ISSUER = "Lastmile"


def new_secret() -> bytes:
    """160 random bits, the size RFC 4226 recommends."""
    return os.urandom(20)


def secret_text(secret: bytes) -> str:
    """The base32 form authenticator apps take."""
    return base64.b32encode(secret).decode().rstrip("=")


def _totp(secret: bytes) -> TOTP:
    return TOTP(secret, DIGITS, SHA1(), STEP, enforce_key_length=False)


def provisioning_uri(secret: bytes, account: str) -> str:
    """The otpauth:// URI to show as a QR code."""
    return _totp(secret).get_provisioning_uri(account, ISSUER)


def code_at(secret: bytes, now: float) -> str:
    """The code for the step containing ``now`` (tests and tools)."""
    return _totp(secret).generate(int(now)).decode()


def matching_step(secret: bytes, code: str, now: float) -> int | None:
    """The time step (now ±1) whose code equals ``code``, or None; every candidate is compared."""
    totp = _totp(secret)
    current = int(now) // STEP
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate(step * STEP).decode(), code):
            found = step
    return found
