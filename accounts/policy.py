"""The knobs of the accounts room, filled from server settings (the domain never reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass

SCRYPT_N = 2**17


@dataclass(frozen=True)
class AuthPolicy:
    """Password cost, token lifetimes and login rate limits."""

    scrypt_n: int = SCRYPT_N
    token_idle_seconds: int = 30 * 86_400
    token_max_seconds: int = 180 * 86_400
    login_window_seconds: int = 900
    login_max_failures_per_account: int = 10
    login_max_attempts_per_address: int = 100
    ticket_seconds: int = 300
    touch_every_seconds: int = 60
