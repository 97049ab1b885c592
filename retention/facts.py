"""Gathering ShopperFacts from the other rooms: accounts (activity, through its read API), sync views (cart,
wishlist, prefs, points), loyalty (orders), catalog (wishlist prices) and retention's own tracking (views, redemptions)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from accounts import consents as accounts_consents
from accounts import service as accounts_service
from catalog import store as catalog_store
from clock import from_ms, parse
from loyalty import store as loyalty_store
from sync import store as sync_store

from . import audience_store, campaign_store
from .segments import ShopperFacts

BIRTHDAY = re.compile(r"^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _when(value: Any) -> datetime | None:
    """A datetime from epoch ms (sync clocks), epoch seconds or ISO text; None when unusable."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return from_ms(value) if value > 10**11 else datetime.fromtimestamp(value, tz=timezone.utc)
        if isinstance(value, str) and value:
            return parse(value)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def collect(db: Any, after: int, limit: int, now: datetime) -> list[ShopperFacts]:
    """Facts of the next ``limit`` shoppers after user id ``after``."""
    shoppers = accounts_service.shopper_activity(db, after, limit)
    ids = [s.user_id for s in shoppers]
    orders = {r["user_id"]: r for r in loyalty_store.order_stats(db, ids)}
    views = audience_store.views_since(db, ids, (now - timedelta(days=30)).date().isoformat())
    events = audience_store.last_event_at(db, ids)
    profiles = audience_store.get_profiles(db, ids)
    agreed = {purpose: accounts_consents.agreed(db, ids, purpose) for purpose in accounts_consents.PURPOSES}
    result = []
    for shopper in shoppers:
        uid = shopper.user_id
        cart = []
        for value in sync_store.get_view(db, uid, "cart/").values():
            added = _when(value.get("addedAt")) if isinstance(value, dict) else None
            if added is not None and isinstance(value.get("sku"), str):
                cart.append((value["sku"], min(added, now)))
        wished = [v["sku"] for v in sync_store.get_view(db, uid, "wishlist/").values() if isinstance(v, dict) and isinstance(v.get("sku"), str)]
        prices = {sku: row["price"] for sku, row in catalog_store.get_products(db, wished).items()}
        points = sync_store.get_value(db, uid, "points") or {}
        expiring = []
        for lot in points.get("expiring") or [] if isinstance(points, dict) else []:
            at = _when(lot.get("expiresAt")) if isinstance(lot, dict) else None
            if at is not None and isinstance(lot.get("points"), int):
                expiring.append((lot["points"], at))
        birthday = sync_store.get_value(db, uid, "prefs/birthday")
        stats = orders.get(uid, {})
        last_order = _when(stats.get("last_paid_at"))
        moments = [m for m in (_when(shopper.last_used_at), last_order, _when(events.get(uid)), max((a for _, a in cart), default=None)) if m]
        profile = profiles.get(uid, {})
        result.append(
            ShopperFacts(
                user_id=uid,
                last_activity=max(moments) if moments else _when(shopper.created_at),
                orders=stats.get("orders", 0) or 0,
                revenue=stats.get("spent", 0) or 0,
                discounted_orders=campaign_store.redeemed_orders(db, uid),
                views=views.get(uid, 0),
                last_order_at=last_order,
                cart=cart,
                wishlist_prices=prices,
                birthday=birthday if isinstance(birthday, str) and BIRTHDAY.match(birthday) else None,
                time_zone=profile.get("time_zone"),
                locale=profile.get("locale"),
                tier=points.get("tier") if isinstance(points, dict) else None,
                points_expiring=expiring,
                consents=frozenset(p for p, users in agreed.items() if uid in users),
            )
        )
    return result
