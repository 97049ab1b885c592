"""Password hashing with scrypt from `cryptography`: salted, parameters stored with the hash."""

from __future__ import annotations

import base64
import hmac
import os
import threading

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

R = 8
P = 1
LENGTH = 32
SALT_BYTES = 16
# Each hash takes 128·n·r bytes (128 MiB at n=2**17): bound how many run at once so a burst of
# logins cannot exhaust memory.
_slots = threading.BoundedSemaphore(2)
_dummies: dict[int, str] = {}
_dummy_lock = threading.Lock()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _kdf(salt: bytes, n: int, r: int, p: int) -> Scrypt:
    return Scrypt(salt=salt, length=LENGTH, n=n, r=r, p=p)


def hash_password(password: str, n: int) -> str:
    """``scrypt$n$r$p$salt$hash`` for a new password (blocking: call it off the event loop)."""
    salt = os.urandom(SALT_BYTES)
    with _slots:
        key = _kdf(salt, n, R, P).derive(password.encode())
    return f"scrypt${n}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches ``encoded`` (constant-time compare inside `cryptography`)."""
    try:
        scheme, n, r, p, salt, key = encoded.split("$")
        kdf = _kdf(_unb64(salt), int(n), int(r), int(p))
        expected = _unb64(key)
    except (ValueError, TypeError):
        return False
    if scheme != "scrypt":
        return False
    with _slots:
        try:
            kdf.verify(password.encode(), expected)
        except InvalidKey:
            return False
    return True


def burn_time(password: str, n: int) -> None:
    """Do the same work as a real verification, for a user that does not exist (no timing oracle)."""
    with _dummy_lock:
        dummy = _dummies.get(n)
        if dummy is None:
            dummy = _dummies[n] = hash_password("not-a-real-password", n)
    verify_password(password, dummy)


def needs_rehash(encoded: str, n: int) -> bool:
    """True when the stored hash used other parameters than the current ones."""
    parts = encoded.split("$")
    return len(parts) != 6 or parts[1:4] != [str(n), str(R), str(P)]


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())
