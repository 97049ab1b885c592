"""Operator helpers shared by tests: create operators, make their TOTP codes, API-token headers."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs, urlparse

from accounts import totp
from operators import service
from operators.policy import OperatorPolicy

PASSWORD = "operator password 123"
POLICY = OperatorPolicy(scrypt_n=2**10)


def secret_of(uri: str) -> bytes:
    """The TOTP secret inside an otpauth:// URI (what an authenticator app reads from the QR code)."""
    text = parse_qs(urlparse(uri).query)["secret"][0]
    return base64.b32decode(text + "=" * (-len(text) % 8))


def code(uri: str, now: float | None = None) -> str:
    """The current TOTP code for an otpauth:// URI."""
    return totp.code_at(secret_of(uri), time.time() if now is None else now)


def make_operator(database, email: str, role: str, now: float | None = None) -> str:
    """Create an operator with PASSWORD; their otpauth:// URI."""
    return service.add_operator(database, POLICY, email, role, PASSWORD, now=now).otpauth_uri


def token_headers(database, email: str, role: str) -> dict[str, str]:
    """A new operator of ``role`` and headers carrying their API token."""
    make_operator(database, email, role)
    return {"Authorization": f"Bearer {service.issue_token(database, email, 'tests')}"}
