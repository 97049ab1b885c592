"""Offers: validation, the discount a coupon gives, and redemption against the shopper's grant and the budget."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Sequence

import msgspec

from catalog import store as catalog_store
from catalog.money import format_price
from clock import iso, parse

from . import audience_store, campaign_store
from .errors import BadOffer, CouponRejected, UnknownOffer
from .models import Offer, OfferIn, OfferStep

OFFER_ID_PREFIX = "offer-"
"""How retention offers are named in orders.offer_id (the points mall uses reward ids)."""


MAX_PERCENT = 90

CartLine = tuple[str, int, int]
"""(sku, qty, unit price) of a priced cart line, what bundles are checked against."""


def _check_steps(offer: OfferIn) -> None:
    steps = offer.steps or []
    if offer.value is not None:
        raise BadOffer("a tiered offer takes its savings from steps; leave value out")
    if offer.bundle is not None:
        raise BadOffer("an offer is tiered (steps) or a bundle, not both")
    for n, (low, high) in enumerate(zip(steps, steps[1:]), start=1):
        if high.spend <= low.spend:
            raise BadOffer(f"steps[{n}]: spend thresholds must go up, step by step")
        if high.save <= low.save:
            raise BadOffer(f"steps[{n}]: a higher step must save more than the one below it")
    for n, step in enumerate(steps):
        if offer.kind == "amount" and step.save >= step.spend:
            raise BadOffer(f"steps[{n}]: the saving must be below its spend threshold")
        if offer.kind == "percent" and step.save > MAX_PERCENT:
            raise BadOffer(f"steps[{n}]: a percent step gives at most {MAX_PERCENT}% off")
    if offer.min_order not in (0, steps[0].spend):
        raise BadOffer("a tiered offer's minimum order is its first step's spend; leave minOrder out")


def check_offer(offer: OfferIn, now: datetime) -> OfferIn:
    """The offer if it can be stored: a sane percentage, a currency for amounts, an expiry in the future,
    tiered steps that go up with savings below their thresholds."""
    if offer.kind == "free_shipping" and (offer.steps is not None or offer.bundle is not None):
        raise BadOffer("a free-shipping offer has no steps or bundle")
    if offer.steps is not None:
        _check_steps(offer)
    elif offer.value is None:
        raise BadOffer("value is required (the discount, in percent or minor units)")
    elif offer.kind == "percent" and offer.value > MAX_PERCENT:
        raise BadOffer(f"a percent offer gives at most {MAX_PERCENT}% off")
    if offer.bundle is not None and len(set(offer.bundle)) != len(offer.bundle):
        raise BadOffer("a bundle lists each SKU once")
    if offer.kind in ("amount", "free_shipping") and offer.currency is None:
        raise BadOffer(f"an {offer.kind.replace('_', '-')} offer needs its currency")
    try:
        expires = parse(offer.expires_at)
    except ValueError:
        raise BadOffer("expiresAt must be an ISO 8601 date-time") from None
    if expires <= now:
        raise BadOffer("expiresAt must be in the future")
    return offer


def _check_bundle(db: Any, offer: OfferIn) -> None:
    """Every SKU of a bundle is sold, in one currency, and an amount saving stays below the set's price."""
    skus = offer.bundle or []
    products = catalog_store.get_products(db, skus)
    missing = [sku for sku in skus if sku not in products]
    if missing:
        raise BadOffer(f"bundle: there is no product {', '.join(missing)}")
    currencies = {p["currency"] for p in products.values()}
    if len(currencies) > 1:
        raise BadOffer("bundle: the products are priced in different currencies")
    if offer.kind == "amount":
        if offer.currency not in currencies:
            raise BadOffer(f"bundle: the products are priced in {currencies.pop()}, the offer is in {offer.currency}")
        price = sum(p["price"] for p in products.values())
        if (offer.value or 0) >= price:
            raise BadOffer(f"bundle: the saving must be below the set's price ({format_price(price, offer.currency or '')})")


def offer_from_row(row: dict) -> Offer:
    """A stored offer row as a Struct."""
    steps = row.get("steps")
    bundle = row.get("bundle")
    return Offer(
        id=row["id"], code=row["code"], title=row["title"],
        kind="free_shipping" if row.get("free_shipping") else row["kind"], value=row["value"],
        currency=row["currency"], min_order=row["min_order"], expires_at=row["expires_at"],
        segment=row["segment"], budget=row["budget"], spent=row["spent"], redemptions=row["redemptions"],
        steps=[OfferStep(spend=a, save=b) for a, b in json.loads(steps)] if steps else None,
        bundle=json.loads(bundle) if bundle else None,
    )


def create_offer(db: Any, offer: OfferIn, now: datetime) -> Offer:
    """Store a new offer (the code must be unused; a bundle's SKUs must exist)."""
    check_offer(offer, now)
    if offer.bundle is not None:
        _check_bundle(db, offer)
    row = msgspec.structs.asdict(offer)
    row["expires_at"] = iso(parse(offer.expires_at))
    if offer.steps is not None:
        row.update(value=offer.steps[-1].save, min_order=offer.steps[0].spend,
                   steps=json.dumps([[s.spend, s.save] for s in offer.steps]))
    if offer.bundle is not None:
        row["bundle"] = json.dumps(offer.bundle)
    if offer.kind == "free_shipping":
        row.update(kind="amount", free_shipping=1)
    offer_id = campaign_store.add_offer(db, row)  # claims the code: a check before it would race another process
    if offer_id is None:
        raise BadOffer(f"code {offer.code} is taken")
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


def _off(offer: Offer, value: int, base: int) -> int:
    return base * value // 100 if offer.kind == "percent" else value


def step_for(offer: Offer, subtotal: int) -> OfferStep | None:
    """The best step of a tiered offer this subtotal reaches."""
    reached = [s for s in offer.steps or [] if subtotal >= s.spend]
    return reached[-1] if reached else None


def bundle_sets(offer: Offer, lines: Sequence[CartLine]) -> tuple[int, int]:
    """(complete sets of the bundle in these lines, the price of one set)."""
    qty = {sku: q for sku, q, _ in lines}
    price = {sku: p for sku, _, p in lines}
    skus = offer.bundle or []
    if not all(sku in qty for sku in skus):
        return 0, 0
    return min(qty[sku] for sku in skus), sum(price[sku] for sku in skus)


def discount_for(offer: Offer, subtotal: int, lines: Sequence[CartLine] = ()) -> int:
    """Minor units off this subtotal (never more than it): the plain value, the best step reached, or per bundle set;
    nothing for free shipping, which pays the delivery fee instead (``shipping_discount_for``)."""
    if offer.kind == "free_shipping":
        amount = 0
    elif offer.steps:
        step = step_for(offer, subtotal)
        amount = _off(offer, step.save, subtotal) if step else 0
    elif offer.bundle:
        sets, price = bundle_sets(offer, lines)
        amount = min(sets * _off(offer, offer.value or 0, price), sets * price)
    else:
        amount = _off(offer, offer.value or 0, subtotal)
    return max(0, min(amount, subtotal))


def shipping_discount_for(offer: Offer, fee: int) -> int:
    """What a free-shipping offer pays of this delivery fee (at most its value); 0 for other offers."""
    return min(fee, offer.value or 0) if offer.kind == "free_shipping" else 0


def _label(offer: Offer, value: int) -> str:
    return f"{value}%" if offer.kind == "percent" else format_price(value, offer.currency or "")  # free shipping: its cap


def describe(offer: Offer) -> str:
    """"20%" or "€5.00" for templates (an amount offer always has its currency); "€20.00–€60.00" for a tiered one."""
    if offer.steps and len(offer.steps) > 1:
        return f"{_label(offer, offer.steps[0].save)}–{_label(offer, offer.steps[-1].save)}"
    return _label(offer, offer.value or 0)


def view_value(offer: Offer) -> dict:
    """What travels in the synced view under `offers/{id}`."""
    return {
        "id": offer.id, "code": offer.code, "title": offer.title, "kind": offer.kind, "value": offer.value,
        "currency": offer.currency, "minOrder": offer.min_order, "expiresAt": offer.expires_at,
        "label": describe(offer),
        **({"steps": [{"spend": st.spend, "save": st.save} for st in offer.steps]} if offer.steps else {}),
        **({"bundle": list(offer.bundle)} if offer.bundle else {}),
    }


def check_coupon(db: Any, user_id: int, code: str, subtotal: int, currency: str, now: datetime,
                 lines: Sequence[CartLine] = (), shipping: int = 0) -> tuple[Offer, int] | None:
    """The offer and what it pays (off the goods, or of the delivery fee ``shipping`` for free shipping) for this
    shopper's coupon; None for a code retention does not know; CouponRejected if it does not apply."""
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
    if offer.bundle and bundle_sets(offer, lines)[0] == 0:
        raise CouponRejected(f"code {offer.code} needs {', '.join(offer.bundle)} in the cart together")
    if offer.kind == "free_shipping" and shipping <= 0:
        # Refused rather than spent on nothing: the shopper keeps the code for an order whose delivery costs.
        raise CouponRejected(f"code {offer.code} pays for delivery: choose a delivery option that has a fee")
    grant = campaign_store.get_grant(db, user_id, offer.id)
    if grant is None:
        scores = audience_store.get_scores(db, user_id)
        if offer.segment is None or scores is None or scores["segment"] != offer.segment:
            raise CouponRejected(f"code {offer.code} was not offered to this shopper")
    elif grant["redeemed_at"] is not None:
        raise CouponRejected(f"code {offer.code} was used already")
    amount = shipping_discount_for(offer, shipping) if offer.kind == "free_shipping" else discount_for(offer, subtotal, lines)
    if offer.spent + amount > offer.budget:
        raise CouponRejected(f"the budget of code {offer.code} is spent")
    return offer, amount


def redeem_coupon(db: Any, user_id: int, code: str, subtotal: int, currency: str, now: datetime,
                  order_id: str | None = None, lines: Sequence[CartLine] = (), shipping: int = 0
                  ) -> tuple[Offer, int] | None:
    """Check and record the use of a coupon in the caller's transaction (the budget pays what it gives, goods or
    delivery); None for a code retention does not know."""
    found = check_coupon(db, user_id, code, subtotal, currency, now, lines, shipping)
    if found is None:
        return None
    offer, amount = found
    revenue = subtotal if offer.kind == "free_shipping" else subtotal - amount
    if not campaign_store.redeem(db, user_id, offer.id, order_id or "", amount, revenue, iso(now)):
        raise CouponRejected(f"the budget of code {offer.code} is spent")
    return offer, amount
