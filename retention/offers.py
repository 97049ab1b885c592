"""Offers: validation, the discount a coupon gives, and redemption against the shopper's grant and the budget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from catalog.money import format_price
from clock import iso, parse

from . import audience_store, campaign_store
from .errors import BadOffer, CouponRejected, UnknownOffer
from .models import Offer, OfferIn

OFFER_ID_PREFIX = "offer-"
"""How retention offers are named in orders.offer_id (the points mall uses reward ids)."""


def check_offer(offer: OfferIn, now: datetime) -> OfferIn:
    """The offer if it can be stored: a sane percentage, a currency for amounts, an expiry in the future."""
    if offer.kind == "percent" and offer.value > 90:
        raise BadOffer("a percent offer gives at most 90% off")
    if offer.kind == "amount" and offer.currency is None:
        raise BadOffer("an amount offer needs its currency")
    try:
        expires = parse(offer.expires_at)
    except ValueError:
        raise BadOffer("expiresAt must be an ISO 8601 date-time") from None
    if expires <= now:
        raise BadOffer("expiresAt must be in the future")
    return offer


def offer_from_row(row: dict) -> Offer:
    """A stored offer row as a Struct."""
    return Offer(
        id=row["id"], code=row["code"], title=row["title"], kind=row["kind"], value=row["value"],
        currency=row["currency"], min_order=row["min_order"], expires_at=row["expires_at"],
        segment=row["segment"], budget=row["budget"], spent=row["spent"], redemptions=row["redemptions"],
    )


def create_offer(db: Any, offer: OfferIn, now: datetime) -> Offer:
    """Store a new offer (the code must be unused)."""
    check_offer(offer, now)
    if campaign_store.offer_code_taken(db, offer.code):
        raise BadOffer(f"code {offer.code} is taken")
    row = msgspec.structs.asdict(offer)
    row["expires_at"] = iso(parse(offer.expires_at))
    offer_id = campaign_store.add_offer(db, row)
    return offer_from_row(campaign_store.get_offer(db, offer_id))


def get_offer(db: Any, offer_id: int) -> Offer:
    """One offer, or UnknownOffer."""
    row = campaign_store.get_offer(db, offer_id)
    if row is None:
        raise UnknownOffer(f"there is no offer {offer_id}")
    return offer_from_row(row)


def usable(offer: Offer, now: datetime) -> bool:
    """Not expired and some budget left."""
    return parse(offer.expires_at) > now and offer.spent < offer.budget


def discount_for(offer: Offer, subtotal: int) -> int:
    """Minor units off this subtotal (never more than it)."""
    amount = subtotal * offer.value // 100 if offer.kind == "percent" else offer.value
    return max(0, min(amount, subtotal))


def describe(offer: Offer) -> str:
    """"20%" or "€5.00" for templates (an amount offer always has its currency)."""
    return f"{offer.value}%" if offer.kind == "percent" else format_price(offer.value, offer.currency or "")


def view_value(offer: Offer) -> dict:
    """What travels in the synced view under `offers/{id}`."""
    return {
        "id": offer.id, "code": offer.code, "title": offer.title, "kind": offer.kind, "value": offer.value,
        "currency": offer.currency, "minOrder": offer.min_order, "expiresAt": offer.expires_at,
        "label": describe(offer),
    }


def check_coupon(db: Any, user_id: int, code: str, subtotal: int, currency: str, now: datetime) -> tuple[Offer, int] | None:
    """The offer and discount for this shopper's coupon; None for a code retention does not know; CouponRejected if it does not apply."""
    row = campaign_store.offer_by_code(db, code.strip().upper())
    if row is None:
        return None
    offer = offer_from_row(row)
    if parse(offer.expires_at) <= now:
        raise CouponRejected(f"code {offer.code} has expired")
    if offer.currency is not None and offer.currency != currency:
        raise CouponRejected(f"code {offer.code} is for {offer.currency} orders")
    if subtotal < offer.min_order:
        raise CouponRejected(f"code {offer.code} needs an order of at least {format_price(offer.min_order, currency)}")
    grant = campaign_store.get_grant(db, user_id, offer.id)
    if grant is None:
        scores = audience_store.get_scores(db, user_id)
        if offer.segment is None or scores is None or scores["segment"] != offer.segment:
            raise CouponRejected(f"code {offer.code} was not offered to this shopper")
    elif grant["redeemed_at"] is not None:
        raise CouponRejected(f"code {offer.code} was used already")
    amount = discount_for(offer, subtotal)
    if offer.spent + amount > offer.budget:
        raise CouponRejected(f"the budget of code {offer.code} is spent")
    return offer, amount


def redeem_coupon(db: Any, user_id: int, code: str, subtotal: int, currency: str, now: datetime, order_id: str | None = None) -> tuple[Offer, int] | None:
    """Check and record the use of a coupon in the caller's transaction; None for a code retention does not know."""
    found = check_coupon(db, user_id, code, subtotal, currency, now)
    if found is None:
        return None
    offer, amount = found
    if not campaign_store.redeem(db, user_id, offer.id, order_id or "", amount, subtotal - amount, iso(now)):
        raise CouponRejected(f"the budget of code {offer.code} is spent")
    return offer, amount
