"""Checkout: the shopper's synced cart becomes an order, once per Idempotency-Key, at the catalog's prices.

Everything happens in the caller's write transaction: the key check, stock check and decrement, the
discount, the order, emptying the cart and storing the response to replay. A failed checkout writes
nothing (not even the key), so the shopper can fix the cart and retry with the same key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

import msgspec

import clock
from catalog import store as catalog_store

from . import gifts, mall, orders, store, views
from .errors import BadOrderInput, EmptyCart, IdempotencyMismatch, OutOfStock, UnknownCode
from .models import MAX_LINE_QTY, MAX_ORDER_LINES, CheckoutRequest, Discount, OrderLine


@dataclass(frozen=True)
class DiscountRequest:
    """What a discount provider sees: the code, the priced lines, and the checkout's transaction."""

    db: Any
    user_id: int
    code: str
    currency: str
    subtotal: int
    lines: tuple[OrderLine, ...]
    now: datetime


DiscountProvider = Callable[[DiscountRequest], "Discount | None"]
"""Asked for codes the points mall does not know (retention's offers); server/wiring.py lists them.

A provider returns a Discount for a code it owns and that applies to this cart, None for a code it does not
know, or raises UnknownCode for its own code that does not apply (expired, used, wrong segment). It runs
inside the checkout transaction, so it may record the use of a single-use code through ``db``.
"""


_encoder = msgspec.json.Encoder()


def request_hash(body: CheckoutRequest) -> str:
    """A fingerprint of the request's meaning (so JSON spacing or key order do not matter)."""
    return hashlib.sha256(_encoder.encode(body)).hexdigest()


@dataclass(frozen=True)
class CheckoutResult:
    """The response to send (201 and the order's JSON), and whether it is a replay of an earlier one."""

    status: int
    body: bytes
    replayed: bool
    order_id: int | None = None


def _priced_lines(db: Any, cart: dict[str, Any]) -> list[dict]:
    if not cart:
        raise EmptyCart("the cart is empty")
    if len(cart) > MAX_ORDER_LINES:
        raise BadOrderInput(f"a checkout takes at most {MAX_ORDER_LINES} cart lines")
    wanted: dict[str, int] = {}
    for value in cart.values():
        if not isinstance(value, dict):
            continue
        sku, qty = value.get("sku"), value.get("qty")
        if isinstance(sku, str) and isinstance(qty, int) and not isinstance(qty, bool) and qty > 0:
            wanted[sku] = min(wanted.get(sku, 0) + qty, MAX_LINE_QTY)
    if not wanted:
        raise EmptyCart("the cart is empty")
    products = catalog_store.get_products(db, list(wanted))
    problems: list[tuple[str, str]] = []
    lines: list[dict] = []
    for sku in sorted(wanted):
        product, qty = products.get(sku), wanted[sku]
        if product is None:
            problems.append((sku, "is no longer sold"))
        elif product["stock"] < qty:
            problems.append((sku, f"only {product['stock']} left, the cart has {qty}"))
        else:
            lines.append({"sku": sku, "name": product["name"], "qty": qty, "unit_price": product["price"],
                          "line_total": product["price"] * qty, "currency": product["currency"],
                          "stock": product["stock"]})
    if problems:
        raise OutOfStock("; ".join(f"{sku} {what}" for sku, what in problems), problems)
    if len({l["currency"] for l in lines}) > 1:
        raise BadOrderInput("the cart mixes currencies; check out one currency at a time")
    return lines


def _discount(
    db: Any, user_id: int, code: str, lines: list[dict], subtotal: int, now: datetime,
    providers: Sequence[DiscountProvider],
) -> tuple[Discount, dict | None]:
    """The discount for a code: a points-mall coupon of the shopper's, else the first provider that knows it."""
    currency = lines[0]["currency"]
    coupon = store.coupon(db, user_id, code)
    if coupon is not None:
        if coupon["used_order_id"] is not None:
            raise UnknownCode(f"coupon {code} was used already")
        if coupon["kind"] == "coupon":
            if coupon["currency"] != currency:
                raise UnknownCode(f"coupon {code} is for {coupon['currency']} orders")
            amount = coupon["value"]
        else:
            line = next((l for l in lines if l["sku"] == coupon["sku"]), None)
            if line is None:
                raise UnknownCode(f"coupon {code} needs {coupon['sku']} in the cart")
            amount = line["unit_price"]
        return Discount(code=code, amount=min(amount, subtotal), offer_id=coupon["reward_id"], source="mall",
                        label=coupon["name"]), coupon
    gift = store.loyalty_coupon(db, user_id, code)
    if gift is not None:
        if gift["used_order_id"] is not None:
            raise UnknownCode(f"coupon {code} was used already")
        if gift["expires_at"] <= clock.iso(now):
            raise UnknownCode(f"coupon {code} has expired")
        if gift["currency"] != currency:
            raise UnknownCode(f"coupon {code} is for {gift['currency']} orders")
        if subtotal < gift["min_order"]:
            raise UnknownCode(f"coupon {code} needs an order of at least {gift['min_order'] / 100:.2f}")
        return Discount(code=code, amount=min(gift["value"], subtotal), offer_id=gift["item"], source=gift["source"],
                        label=gift["name"]), {**gift, "loyalty": True}
    priced = tuple(OrderLine(sku=l["sku"], name=l["name"], qty=l["qty"], unit_price=l["unit_price"],
                             line_total=l["line_total"]) for l in lines)
    request = DiscountRequest(db=db, user_id=user_id, code=code, currency=currency, subtotal=subtotal,
                              lines=priced, now=now)
    for provider in providers:
        found = provider(request)
        if found is not None:
            amount = max(0, min(found.amount, subtotal))
            return msgspec.structs.replace(found, code=code, amount=amount), None
    raise UnknownCode(f"code {code} is not known or does not apply to this cart")


def checkout(
    db: Any, user_id: int, key: str, body: CheckoutRequest, now: datetime, *,
    discount_providers: Sequence[DiscountProvider],
) -> CheckoutResult:
    """Place an order from the synced cart, or replay the response the same key got before.

    ``discount_providers`` are asked, in order, for codes that are not the shopper's points-mall coupons.
    """
    fingerprint = request_hash(body)
    seen = store.get_idempotency(db, user_id, key)
    if seen is not None:
        if seen["request_hash"] != fingerprint:
            raise IdempotencyMismatch("this Idempotency-Key was used with a different request")
        return CheckoutResult(status=seen["status"], body=bytes(seen["response"]), replayed=True)
    cart = views.cart(db, user_id)
    lines = _priced_lines(db, cart)
    subtotal = sum(l["line_total"] for l in lines)
    discount, coupon = (None, None)
    if body.code:
        discount, coupon = _discount(db, user_id, body.code, lines, subtotal, now, discount_providers)
    amount = discount.amount if discount else 0
    at = clock.iso(now)
    order_id = store.insert_order(db, {
        "user_id": user_id, "currency": lines[0]["currency"], "subtotal": subtotal, "discount": amount,
        "total": subtotal - amount, "code": body.code, "offer_id": discount.offer_id if discount else None,
        "discount_source": discount.source if discount else None, "now": at,
    })
    for line in lines:
        store.insert_order_line(db, order_id, line)
        catalog_store.set_stock(db, line["sku"], line["stock"] - line["qty"], at)
    if coupon is not None and coupon.get("loyalty"):
        store.use_loyalty_coupon(db, coupon["code"], order_id)
        views.put_coupon(db, user_id, gifts.to_coupon({**coupon, "used_order_id": order_id}))
    elif coupon is not None:
        store.use_coupon(db, coupon["id"], order_id)
        mall.refresh_coupon(db, user_id, coupon["code"])
    views.clear_cart(db, user_id)
    row = store.get_order(db, order_id)
    assert row is not None
    line_rows = store.order_lines(db, [order_id])[order_id]
    order = orders.to_order(row, line_rows)
    views.put_order(db, user_id, orders.to_summary(row, line_rows))
    response = _encoder.encode(order)
    store.put_idempotency(db, user_id, key, fingerprint, 201, response, at)
    return CheckoutResult(status=201, body=response, replayed=False, order_id=order_id)
