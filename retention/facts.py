"""Gathering ShopperFacts from the other rooms: accounts (activity, through its read API), sync views (cart,
wishlist, prefs, points), loyalty (orders), catalog (wishlist prices) and retention's own tracking (views, redemptions)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import msgspec

from accounts import consents as accounts_consents
from accounts import service as accounts_service
from catalog import store as catalog_store
from clock import from_ms, iso, parse
from loyalty import store as loyalty_store
from sync import store as sync_store

from . import audience_store, campaign_store
from .customers import History, OrderFact
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
    history: dict[int, list[dict]] = {}
    for row in loyalty_store.order_history(db, ids):
        history.setdefault(row["user_id"], []).append(row)
    bought: dict[int, dict[str, int]] = {}
    for row in loyalty_store.bought_skus(db, ids):
        bought.setdefault(row["user_id"], {})[row["sku"]] = row["units"]
    recent = audience_store.product_views_since(db, ids, (now - timedelta(days=14)).date().isoformat())
    season = audience_store.product_views_since(db, ids, (now - timedelta(days=90)).date().isoformat())
    tags = audience_store.tags_of(db, ids)
    carts = {uid: sync_store.get_view(db, uid, "cart/") for uid in ids}
    skus = {sku for d in (*bought.values(), *season.values()) for sku in d}
    skus |= {v["sku"] for cart in carts.values() for v in cart.values() if isinstance(v, dict) and isinstance(v.get("sku"), str)}
    catalog = catalog_store.get_products(db, sorted(skus))
    since_updates = iso(now - timedelta(days=2))
    result = []
    for shopper in shoppers:
        uid = shopper.user_id
        cart = []
        cart_value = 0
        for value in carts[uid].values():
            added = _when(value.get("addedAt")) if isinstance(value, dict) else None
            if added is not None and isinstance(value.get("sku"), str):
                cart.append((value["sku"], min(added, now)))
                qty = value.get("qty")
                if value["sku"] in catalog and isinstance(qty, int) and not isinstance(qty, bool) and 0 < qty <= 99:
                    cart_value += catalog[value["sku"]]["price"] * qty
        categories_bought: dict[str, int] = {}
        for sku, units in bought.get(uid, {}).items():
            if sku in catalog:
                category = catalog[sku]["category"]
                categories_bought[category] = categories_bought.get(category, 0) + units
        categories_viewed: dict[str, int] = {}
        for sku, count in season.get(uid, {}).items():
            if sku in catalog:
                category = catalog[sku]["category"]
                categories_viewed[category] = categories_viewed.get(category, 0) + count
        orders_of = history.get(uid, [])
        model_history = History(
            orders=[OrderFact(paid_at=parse(o["paid_at"]), total=o["total"], refunded=o["status"] == "refunded",
                              discounted=bool(o["discount"])) for o in orders_of],
            categories_bought=categories_bought, categories_viewed=categories_viewed, operator_tags=tags.get(uid, []))
        updates = [(o["id"], "shipped") for o in orders_of
                   if o["status"] == "fulfilled" and o["fulfilled_at"] and o["fulfilled_at"] >= since_updates]
        updates += [(o["id"], "delivered") for o in orders_of
                    if o["status"] == "fulfilled" and o["delivered_at"] and o["delivered_at"] >= since_updates]
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
                history=msgspec.structs.replace(model_history, last_activity=max(moments) if moments else None),
                cart_value=cart_value,
                product_views=recent.get(uid, {}),
                bought=sorted(bought.get(uid, {})),
                order_updates=updates,
            )
        )
    return result
