"""The loyalty rows of a shopper's synced view: ``points``, ``orders/{id}``, ``coupons/{code}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from sync import store as sync_store

from . import ledger, perks, store, tiers
from .models import Badge, Coupon, DrawResult, OrderSummary, PointsView


def points(db: Any, user_id: int, now: datetime) -> PointsView:
    """The points view as of ``now`` (tier evaluated and expiry applied lazily, nothing written), with the
    tier's perks and the growth that can still be spent."""
    state, growth = tiers.current(db, user_id, now)
    view = ledger.points_view(db, user_id, now, state, growth)
    spendable = max(0, store.growth_total(db, user_id) - store.growth_spent(db, user_id))
    return msgspec.structs.replace(view, spendable_growth=spendable, perks=perks.perks(db, user_id, state.tier, now))


def _put(db: Any, user_id: int, key: str, value: Any) -> bool:
    """Put a view row (unchanged values cost devices no pull: put_view skips them)."""
    return sync_store.put_view(db, user_id, key, msgspec.to_builtins(value))


def refresh_points(db: Any, user_id: int, now: datetime) -> bool:
    """Bring the ``points`` row up to date; True if it changed."""
    return _put(db, user_id, "points", points(db, user_id, now))


def put_order(db: Any, user_id: int, summary: OrderSummary) -> bool:
    """Bring an ``orders/{id}`` row up to date."""
    return _put(db, user_id, f"orders/{summary.id}", summary)


def put_coupon(db: Any, user_id: int, coupon: Coupon) -> bool:
    """Bring a ``coupons/{code}`` row up to date."""
    return _put(db, user_id, f"coupons/{coupon.code}", coupon)


def put_draw(db: Any, user_id: int, result: DrawResult) -> bool:
    """The ``draws/{id}`` row of a lottery draw (what was won, shown on every device)."""
    return _put(db, user_id, f"draws/{result.id}", result)


def put_badge(db: Any, user_id: int, badge: Badge) -> bool:
    """Bring a ``badges/{id}`` row up to date."""
    return _put(db, user_id, f"badges/{badge.id}", badge)


def cart(db: Any, user_id: int) -> dict[str, Any]:
    """The shopper's synced cart rows, ``cart/{sku}`` → ``{sku, qty, addedAt}``."""
    return sync_store.get_view(db, user_id, prefix="cart/")


def clear_cart(db: Any, user_id: int) -> None:
    """Delete the cart rows in the caller's transaction (every device sees the cart emptied on its next pull)."""
    sync_store.delete_prefix(db, user_id, "cart/")
