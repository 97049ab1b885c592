"""Checkout: the shopper's synced cart becomes an order, once per Idempotency-Key, at the catalog's prices.

Everything happens in the caller's write transaction: the key check, stock check and decrement, the
discount, the order, emptying the cart and storing the response to replay. A failed checkout writes
nothing (not even the key), so the shopper can fix the cart and retry with the same key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

import msgspec

import clock
from catalog import store as catalog_store
from sync import store as sync_store

from . import checkout_details, checkout_store, delivery, gifts, mall, orders, payment, pickup_points, rules, store, tiers, views
from .errors import BadOrderInput, EmptyCart, IdempotencyMismatch, OutOfStock, UnknownCode
from .models import (
    MAX_LINE_QTY,
    MAX_ORDER_LINES,
    CheckoutQuote,
    CheckoutRequest,
    DeliveryChoice,
    Discount,
    OrderLine,
    QuoteRequest,
)


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
    shipping: int = 0
    """The fee of the delivery option the shopper chose, priced for this cart (0 when none is chosen yet): what a
    free-shipping offer may pay (its Discount's ``shipping_discount``)."""


DiscountProvider = Callable[[DiscountRequest], "Discount | None"]
"""Asked for codes the points mall does not know (retention's offers); server/wiring.py lists them.

A provider returns a Discount for a code it owns and that applies to this cart, None for a code it does not
know, or raises UnknownCode for its own code that does not apply (expired, used, wrong segment). It runs
inside the checkout transaction, so it may record the use of a single-use code through ``db``.
"""


_encoder = msgspec.json.Encoder()


def request_hash(body: CheckoutRequest) -> str:
    """A fingerprint of the request's meaning (so JSON spacing or key order do not matter)."""
    fields = msgspec.to_builtins(body)
    if fields.get("pickupPoint") is None:  # as before pickup points: a key kept across the upgrade still matches
        fields.pop("pickupPoint", None)
    return hashlib.sha256(_encoder.encode(fields)).hexdigest()


@dataclass(frozen=True)
class Payments:
    """The payment providers a checkout may charge (by method), and the points hold a paid order starts."""

    providers: Mapping[str, payment.PaymentProvider] = field(default_factory=dict)
    hold_days: int = 7


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
    providers: Sequence[DiscountProvider], shipping: int = 0,
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
                        label=gifts.label(gift)), {**gift, "loyalty": True}
    priced = tuple(OrderLine(sku=l["sku"], name=l["name"], qty=l["qty"], unit_price=l["unit_price"],
                             line_total=l["line_total"]) for l in lines)
    request = DiscountRequest(db=db, user_id=user_id, code=code, currency=currency, subtotal=subtotal,
                              lines=priced, now=now, shipping=shipping)
    for provider in providers:
        found = provider(request)
        if found is not None:
            amount = max(0, min(found.amount, subtotal))
            waived = max(0, min(found.shipping_discount, shipping))
            return msgspec.structs.replace(found, code=code, amount=amount, shipping_discount=waived), None
    raise UnknownCode(f"code {code} is not known or does not apply to this cart")


def checkout(
    db: Any, user_id: int, key: str, body: CheckoutRequest, now: datetime, *,
    discount_providers: Sequence[DiscountProvider], payments: Payments | None = None,
) -> CheckoutResult:
    """Place an order from the synced cart, or replay the response the same key got before.

    ``discount_providers`` are asked, in order, for codes that are not the shopper's points-mall coupons.
    With an address, delivery option and payment (checkout_details), the delivery fee joins the total and the
    payment is charged last, through ``payments``: a decline raises and so rolls the whole checkout back.
    """
    fingerprint = request_hash(body)
    # First: the same key raced over two servers, or two checkouts of one cart, wait here for each other.
    sync_store.lock_shopper(db, user_id)
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
        fee = _fee(body.delivery, lines[0]["currency"], subtotal)
        discount, coupon = _discount(db, user_id, body.code, lines, subtotal, now, discount_providers, fee)
    amount = discount.amount if discount else 0
    details = checkout_details.resolve(db, user_id, body, lines[0]["currency"], subtotal - amount)
    shipping = _shipping(details.option.price if details else 0, discount)
    at = clock.iso(now)
    order_id = store.insert_order(db, {
        "user_id": user_id, "currency": lines[0]["currency"], "subtotal": subtotal, "discount": amount,
        "total": subtotal - amount + shipping, "code": body.code, "offer_id": discount.offer_id if discount else None,
        "discount_source": discount.source if discount else None, "now": at,
    })
    for line in lines:  # in SKU order, so two checkouts lock shared products in the same order
        store.insert_order_line(db, order_id, line)
        if not catalog_store.take_stock(db, line["sku"], line["qty"], at):
            # Another shopper's checkout took the units since we read them; the transaction rolls back.
            left = (catalog_store.get_product(db, line["sku"]) or {"stock": 0})["stock"]
            raise OutOfStock(f"{line['sku']} only {left} left, the cart has {line['qty']}",
                             [(line["sku"], f"only {left} left, the cart has {line['qty']}")])
    # The shopper's lock makes a second use impossible; the conditional updates say so anyway.
    if coupon is not None and coupon.get("loyalty"):
        if not store.use_loyalty_coupon(db, coupon["code"], order_id):
            raise UnknownCode(f"coupon {coupon['code']} was used already")
        views.put_coupon(db, user_id, gifts.to_coupon({**coupon, "used_order_id": order_id}))
    elif coupon is not None:
        if not store.use_coupon(db, coupon["id"], order_id):
            raise UnknownCode(f"coupon {coupon['code']} was used already")
        mall.refresh_coupon(db, user_id, coupon["code"])
    views.clear_cart(db, user_id)
    if details is not None:
        _pay(db, user_id, key, order_id, details, subtotal - amount + shipping, lines[0]["currency"], now,
             payments or Payments(), shipping)
    row = store.get_order(db, order_id)
    assert row is not None
    line_rows = store.order_lines(db, [order_id])[order_id]
    # The answer is kept (in the clear) to replay a retried key, so it leaves out the delivery address:
    # personal data is sealed at rest, and GET /api/orders/{id} shows it.
    order = msgspec.structs.replace(orders.to_order(row, line_rows), address=None)
    views.put_order(db, user_id, orders.to_summary(row, line_rows))
    response = _encoder.encode(order)
    store.put_idempotency(db, user_id, key, fingerprint, 201, response, at)
    return CheckoutResult(status=201, body=response, replayed=False, order_id=order_id)


def _fee(option: str | None, currency: str, subtotal: int) -> int:
    """The chosen delivery option's fee for this cart before any discount (0 when none is chosen)."""
    return delivery.choose(option, currency, subtotal).price if option else 0


def _shipping(fee: int, discount: Discount | None) -> int:
    """What the shopper pays for delivery: the option's fee less what a free-shipping code pays of it."""
    return fee - min(discount.shipping_discount, fee) if discount else fee


def _pay(db: Any, user_id: int, key: str, order_id: int, details: checkout_details.Details, total: int,
         currency: str, now: datetime, payments: Payments, shipping: int) -> None:
    """Charge the order as the checkout's last step (a decline raises: nothing stays written), then record it."""
    result = payment.charge(payments.providers, details.method, details.token, payment.PaymentRequest(
        user_id=user_id, amount=total, currency=currency, token=details.token,
        idempotency_key=f"{user_id}:{key}",
    ))
    checkout_store.set_details(db, order_id, shipping=shipping, delivery=details.option.id,
                               payment_method=details.method, provider=result.provider, reference=result.reference,
                               address=details.address, pickup_point=details.pickup_point)
    if result.outcome == "paid":
        at = clock.iso(now)
        if not store.move_order(db, order_id, "placed", "paid", at):
            raise BadOrderInput(f"order {order_id} changed while it was being paid")
        row = store.get_order(db, order_id)
        assert row is not None
        orders.apply_payment(db, row, now, payments.hold_days)
        views.refresh_points(db, user_id, now)


def quote(
    db: Any, user_id: int, body: QuoteRequest, now: datetime, *, discount_providers: Sequence[DiscountProvider],
    payment_methods: Sequence[str],
) -> CheckoutQuote:
    """The review step: the cart priced exactly as checkout would price it now, with every delivery option.

    Discount providers may record a code's use, so the caller runs this in a transaction it rolls back.
    """
    lines = _priced_lines(db, views.cart(db, user_id))
    currency = lines[0]["currency"]
    subtotal = sum(l["line_total"] for l in lines)
    discount = _discount(db, user_id, body.code, lines, subtotal, now, discount_providers,
                         _fee(body.delivery, currency, subtotal))[0] if body.code else None
    goods = subtotal - (discount.amount if discount else 0)
    chosen = delivery.choose(body.delivery, currency, goods) if body.delivery else None
    # The review step may ask before a point is chosen: only a point given is checked here.
    point = pickup_points.choose(chosen.id if chosen else None, body.pickup_point, currency) \
        if body.pickup_point is not None else None
    address = checkout_details.address(db, user_id, body.address_id) if body.address_id else None
    shipping = _shipping(chosen.price if chosen else 0, discount)
    points = rules.order_points(goods, tiers.current(db, user_id, now)[0].tier)
    if goods > 0 and not store.has_kept_bonus(db, user_id):
        points += rules.FIRST_ORDER_BONUS
    return CheckoutQuote(
        currency=currency,
        lines=[OrderLine(sku=l["sku"], name=l["name"], qty=l["qty"], unit_price=l["unit_price"], line_total=l["line_total"])
               for l in lines],
        subtotal=subtotal,
        discount=discount.amount if discount else 0,
        shipping=shipping,
        total=goods + shipping,
        delivery_options=[DeliveryChoice(id=o.id, price=o.price, free=o.free, days_min=o.days_min, days_max=o.days_max)
                          for o in delivery.options(currency, goods)],
        payment_methods=sorted(payment_methods),
        free_delivery_from=delivery.free_standard_from(currency),
        code=body.code,
        discount_label=discount.label if discount else None,
        delivery=chosen.id if chosen else None,
        address=msgspec.convert(address, checkout_details.addresses.Address) if address else None,
        points_to_earn=points,
        pickup_points=list(pickup_points.offered(currency)),
        pickup_point=point,
    )
