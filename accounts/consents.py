"""Consents per purpose: what a shopper agreed to, and when. No record means no: every purpose is opt-in."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from . import store

NOTIFICATIONS = "notifications"
OFFERS = "offers"
ANALYTICS = "analytics"
EMAIL = "email"
PURPOSES = (NOTIFICATIONS, OFFERS, ANALYTICS, EMAIL)
"""notifications: web push to this shopper's devices; offers: personalised offers and campaign messages;
analytics: segmentation and scores from their activity; email: marketing by email (the email channel)."""

Purpose = Literal["notifications", "offers", "analytics", "email"]


class Consent(msgspec.Struct, rename="camel"):
    """One purpose's decision as the shopper's devices see it (synced view key `consents`)."""

    granted: bool
    at: int  # unix ms


def record(db: Any, user_id: int, purpose: str, granted: bool, at_ms: int) -> None:
    """Store a decision (in the caller's write transaction)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    store.set_consent(db, user_id, purpose, granted, at_ms)


def of(db: Any, user_id: int) -> dict[str, Consent]:
    """The shopper's decisions by purpose (purposes never decided are absent)."""
    return {p: Consent(granted=g, at=at) for p, (g, at) in store.consents_of(db, user_id).items()}


def has(db: Any, user_id: int, purpose: str) -> bool:
    """True when the shopper agreed to ``purpose`` (e.g. the email channel before a marketing email)."""
    return user_id in store.consenting(db, [user_id], purpose)


def agreed(db: Any, user_ids: list[int], purpose: str) -> set[int]:
    """Those of ``user_ids`` who agreed to ``purpose`` (targeting filters with it)."""
    return store.consenting(db, user_ids, purpose)
