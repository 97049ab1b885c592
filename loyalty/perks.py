"""Tier perks beyond the earn rate: a yearly free-return allowance, a birthday pack, tier-exclusive rewards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import clock

from . import rules, store
from .models import BirthdayPack, Perks

FREE_RETURNS_PER_YEAR: dict[str, int] = {"silver": 0, "gold": 2, "diamond": 6}
"""Returns a calendar year (UTC) whose return shipping the shop pays."""

BIRTHDAY_PACKS: dict[str, BirthdayPack] = {
    "silver": BirthdayPack(kind="points", points=200),
    "gold": BirthdayPack(kind="points", points=500),
    "diamond": BirthdayPack(kind="coupon", value=1_500, currency="EUR"),
}
"""What each tier gets on the shopper's birthday."""


def year_key(now: datetime) -> str:
    """The calendar year (UTC) an instant falls in."""
    return clock.utc(now).strftime("%Y")


def perks(db: Any, user_id: int, tier: str, now: datetime) -> Perks:
    """The perks of ``tier`` with what the shopper has left of them this year."""
    allowance = FREE_RETURNS_PER_YEAR[tier]
    used = store.free_returns_used(db, user_id, year_key(now))
    return Perks(
        tier=tier, multiplier=rules.TIER_MULTIPLIER_TENTHS[tier] / 10, free_returns_per_year=allowance,
        free_returns_left=max(0, allowance - used), birthday_pack=BIRTHDAY_PACKS[tier],
        exclusive_rewards=tier != "silver",
    )


def claim_free_return(db: Any, user_id: int, order_id: int, tier: str, now: datetime) -> bool:
    """A return (a refund after fulfilment) is free while the year's allowance lasts; whether this one is."""
    return store.claim_free_return(db, user_id, order_id, year_key(now), FREE_RETURNS_PER_YEAR[tier])
