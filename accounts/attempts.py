"""Sign-in rate limits, claim first: an attempt is recorded before it is checked, then counted.

Attempts in flight on any process count, so a burst of parallel guesses gets no more than a limit past. Shoppers'
logins (accounts.service) and operators' sign-ins (operators.service) use it, each on its own attempts table: the
``attempts`` argument is the store module that keeps it (``add_attempt``, ``prune_attempts``, ``count_attempts``,
``remove_attempts``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

Refusal = Callable[[str, int], Exception]
"""refusal(what, retry_after) -> the error a refused attempt raises (``what`` names the limit it met)."""


def claim(database: Any, attempts: ModuleType, limits: list[tuple[str, int, str]], window: int, now: float,
          refusal: Refusal) -> list[int]:
    """Record an attempt under each ``(key, limit, what)``, then count. ``refusal(...)`` raised (the claims
    withdrawn) when a key had its limit already; else the claims' ids, which stay as the failures' record unless
    the caller withdraws them (a success, or a refusal that is not a guess)."""
    with database.write() as db:
        claims = [attempts.add_attempt(db, key, now) for key, _, _ in limits]
        attempts.prune_attempts(db, now - window)
    db = database.read()  # after the commit: whoever claimed before us is counted too
    for key, limit, what in limits:
        count, oldest = attempts.count_attempts(db, key, now - window)
        if count > limit:
            withdraw(database, attempts, claims)
            raise refusal(what, max(1, int((oldest or now) + window - now) + 1))
    return claims


def withdraw(database: Any, attempts: ModuleType, claims: list[int]) -> None:
    """Take claims back in a transaction of their own."""
    with database.write() as db:
        attempts.remove_attempts(db, claims)
