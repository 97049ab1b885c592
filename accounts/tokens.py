"""Bearer tokens: 256 random bits, shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh 256-bit token, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps: a leaked table does not hand out usable tokens."""
    return hashlib.sha256(token.encode()).hexdigest()
