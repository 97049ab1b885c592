"""Growth a shopper earns without paying: a daily check-in, reviews and shares of products, each capped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalog import store as catalog_store

from . import badges, rules, store, tiers, views
from .errors import BadOrderInput
from .models import GrowthResult


def _after(db: Any, user_id: int, kind: str, added: int, now: datetime) -> GrowthResult:
    badges.after_growth(db, user_id, kind, now)
    state, _ = tiers.evaluate(db, user_id, now)
    views.refresh_points(db, user_id, now)
    return GrowthResult(kind=kind, growth_added=added, growth=tiers.growth(db, user_id, now), tier=state.tier)


def checkin(db: Any, user_id: int, now: datetime) -> GrowthResult:
    """The daily check-in (once per UTC day; GrowthCapReached on the second)."""
    added = tiers.record_capped(db, user_id, "checkin", rules.day_key(now), now)
    return _after(db, user_id, "checkin", added, now)


def review(db: Any, user_id: int, sku: str, now: datetime) -> GrowthResult:
    """A review of a product the shopper bought (paid): once per product, a few a month."""
    if not store.bought_sku(db, user_id, sku):
        raise BadOrderInput(f"only products you bought and paid for can be reviewed ({sku} is not one)")
    added = tiers.record_capped(db, user_id, "review", sku, now)
    return _after(db, user_id, "review", added, now)


def share(db: Any, user_id: int, sku: str, now: datetime) -> GrowthResult:
    """A share of a product: once per product a day, a few a day and a month."""
    if catalog_store.get_product(db, sku) is None:
        raise BadOrderInput(f"no product {sku!r}")
    added = tiers.record_capped(db, user_id, "share", f"{sku}@{rules.day_key(now)}", now)
    return _after(db, user_id, "share", added, now)
