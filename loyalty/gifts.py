"""Loyalty coupons that cost no points: bought with growth, won in a lottery, or a diamond's birthday gift; and the
birthday pack itself.

The birthday is known in the shopper's time zone only by retention (which keeps time zones); its run calls
``grant_birthday_pack`` on the local birthday, and the pack is claimed once per year whatever calls it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import clock
from catalog.money import format_price

from . import ledger, perks, store, tiers, views
from .models import BirthdayPack, Coupon

COUPON_DAYS = 30
"""Loyalty coupons (birthday, growth, lottery) are valid this long."""


def new_code(prefix: str) -> str:
    """A coupon code nobody can guess."""
    return f"{prefix}-{secrets.token_hex(5).upper()}"


def make_coupon(db: Any, user_id: int, *, source: str, item: str, name: str, value: int, currency: str,
                min_order: int, now: datetime) -> Coupon:
    """A loyalty coupon (valid COUPON_DAYS), put in the shopper's synced view as ``coupons/{code}``."""
    code = new_code({"growth": "GV", "lottery": "LW", "birthday": "BD"}[source])
    store.insert_loyalty_coupon(db, {
        "code": code, "user_id": user_id, "source": source, "item": item, "name": name, "value": value,
        "currency": currency, "min_order": min_order, "created_at": clock.iso(now),
        "expires_at": clock.iso(now + timedelta(days=COUPON_DAYS)),
    })
    made = to_coupon(store.loyalty_coupon(db, user_id, code))  # type: ignore[arg-type]
    views.put_coupon(db, user_id, made)
    return made


def label(row: dict) -> str:
    """A loyalty coupon's name where the API gives one (checkout's discount label): its own (an operator's prize
    name), else what it is worth, in English; the PWA names the shop's own coupons in the shopper's language."""
    return row["name"] or f"{format_price(row['value'], row['currency'])} coupon"


def to_coupon(row: dict) -> Coupon:
    """The ``coupons/{code}`` form of a loyalty coupon (``rewardId`` names what it came from)."""
    return Coupon(code=row["code"], reward_id=row["item"], name=row["name"], kind="coupon", value=row["value"],
                  currency=row["currency"], sku=None, redeemed_at=row["created_at"], used_order_id=row["used_order_id"],
                  source=row["source"])


def grant_birthday_pack(db: Any, user_id: int, local_year: int, now: datetime) -> BirthdayPack | None:
    """This year's birthday pack by the shopper's tier (once a year); None if it was given already."""
    tier = tiers.current(db, user_id, now)[0].tier
    if not store.claim_birthday_pack(db, user_id, local_year, tier, clock.iso(now)):
        return None
    pack = perks.BIRTHDAY_PACKS[tier]
    code = None
    if pack.kind == "points":
        ledger.earn(db, user_id, "bonus", pack.points, now, 0, None)  # available at once, no order behind it
    else:
        code = make_coupon(db, user_id, source="birthday", item=f"birthday-{local_year}", name="Birthday gift",
                           value=pack.value, currency=pack.currency or "EUR", min_order=0, now=now).code
    store.set_birthday_pack(db, user_id, local_year, pack.points, code)
    views.refresh_points(db, user_id, now)
    return pack
