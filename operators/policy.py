"""The knobs of the operators room, filled from server settings (the domain never reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.policy import SCRYPT_N


@dataclass(frozen=True)
class OperatorPolicy:
    """Password cost, session and token lifetimes, sign-in rate limits."""

    scrypt_n: int = SCRYPT_N  # the same cost as shoppers' passwords by default
    min_password_length: int = 12
    session_idle_seconds: int = 30 * 60
    session_max_seconds: int = 12 * 3600
    token_max_seconds: int = 90 * 86_400
    signin_window_seconds: int = 900
    signin_max_failures_per_account: int = 5
    signin_max_attempts_per_address: int = 50
    touch_every_seconds: int = 60

    def __post_init__(self) -> None:
        if self.session_idle_seconds > self.session_max_seconds:
            raise ValueError("an operator session's idle expiry cannot be longer than its absolute expiry")
        if self.min_password_length < 8:
            raise ValueError("operator passwords need at least 8 characters")
