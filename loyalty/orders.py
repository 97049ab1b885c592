"""Orders after checkout: reading them, and the life cycle placed → paid → fulfilled, or → cancelled / refunded.

Paying earns points (pending for the hold period) and growth; refunding takes both back (docs/loyalty.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import clock
from catalog import store as catalog_store

from . import badges, gifts, ledger, mall, perks, rules, store, tiers, views
from .errors import BadTransition, UnknownOrder
from .models import Order, OrderLine, OrderList, OrderSummary


def to_order(row: dict, lines: list[dict]) -> Order:
    """The wire form of an order row and its lines."""
    return Order(
        id=row["id"],
        status=row["status"],
        currency=row["currency"],
        subtotal=row["subtotal"],
        discount=row["discount"],
        total=row["total"],
        lines=[OrderLine(sku=l["sku"], name=l["name"], qty=l["qty"], unit_price=l["unit_price"],
                         line_total=l["line_total"]) for l in lines],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        code=row["code"],
        points_earned=row["points_earned"],
        points_reversed=row["points_reversed"],
        points_written_off=row["points_written_off"],
        free_return=bool(row.get("free_return")),
    )


def to_summary(row: dict, lines: list[dict]) -> OrderSummary:
    """The short form of an order (lists and the ``orders/{id}`` view)."""
    return OrderSummary(
        id=row["id"],
        status=row["status"],
        currency=row["currency"],
        total=row["total"],
        items=sum(l["qty"] for l in lines),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        points_earned=row["points_earned"],
    )


def get(db: Any, order_id: int, user_id: int | None = None) -> Order:
    """One order; UnknownOrder if there is none, or it belongs to someone else than ``user_id``."""
    row = store.get_order(db, order_id, user_id)
    if row is None:
        raise UnknownOrder(f"no order {order_id}")
    return to_order({**row, "free_return": store.is_free_return(db, order_id)}, store.order_lines(db, [order_id])[order_id])


def page(db: Any, user_id: int, before: int | None, limit: int) -> OrderList:
    """A page of the shopper's orders, newest first."""
    rows = store.list_orders(db, user_id, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    lines = store.order_lines(db, [r["id"] for r in rows])
    return OrderList(items=[to_summary(r, lines[r["id"]]) for r in rows], next_cursor=rows[-1]["id"] if more else None)


def _restock(db: Any, lines: list[dict], now: datetime) -> None:
    products = catalog_store.get_products(db, [l["sku"] for l in lines])
    for line in lines:
        product = products.get(line["sku"])
        if product is not None:
            catalog_store.set_stock(db, line["sku"], product["stock"] + line["qty"], clock.iso(now))


def apply_payment(db: Any, row: dict, now: datetime, hold_days: int) -> None:
    """What paying an order earns: points at the tier before it, a first-order bonus, growth; tier re-evaluated."""
    user_id, order_id = row["user_id"], row["id"]
    ledger.settle(db, user_id, now)
    state, _ = tiers.evaluate(db, user_id, now)  # the tier before this order sets the multiplier
    earned = rules.order_points(row["total"], state.tier)
    ledger.earn(db, user_id, "earn", earned, now, hold_days, order_id)
    if row["total"] > 0 and not store.has_kept_bonus(db, user_id):
        ledger.earn(db, user_id, "bonus", rules.FIRST_ORDER_BONUS, now, hold_days, order_id)
        earned += rules.FIRST_ORDER_BONUS
    store.set_order_points(db, order_id, earned=earned)
    tiers.record_order_growth(db, user_id, order_id, row["total"], now)
    tiers.evaluate(db, user_id, now)
    badges.after_order_paid(db, user_id, now)


def apply_refund(db: Any, row: dict, now: datetime) -> None:
    """What refunding an order takes back: its points (clawed back or written off) and its growth."""
    user_id, order_id = row["user_id"], row["id"]
    if row["status"] == "fulfilled":  # goods came back: the tier's free-return allowance pays the shipping
        perks.claim_free_return(db, user_id, order_id, tiers.current(db, user_id, now)[0].tier, now)
    taken, written_off = ledger.reverse_order(db, user_id, order_id, now)
    store.set_order_points(db, order_id, reversed_=taken, written_off=written_off)
    tiers.reverse_order_growth(db, user_id, order_id, now)
    tiers.evaluate(db, user_id, now)


def change_status(db: Any, order_id: int, target: str, now: datetime, hold_days: int) -> tuple[Order, bool]:
    """Move an order (a payment provider's webhook would); (the order, whether it changed).

    Repeating the status the order already has changes nothing (webhooks are retried); any other move the
    life cycle does not allow is BadTransition.
    """
    row = store.get_order(db, order_id)
    if row is None:
        raise UnknownOrder(f"no order {order_id}")
    current = row["status"]
    if current == target:
        return get(db, order_id), False
    if not rules.can_move(current, target):
        raise BadTransition(f"an order that is {current} cannot become {target}")
    if not store.move_order(db, order_id, current, target, clock.iso(now)):
        raise BadTransition(f"order {order_id} changed meanwhile; read it again")
    lines = store.order_lines(db, [order_id])[order_id]
    if rules.restocks(current, target):
        _restock(db, lines, now)
    if target == "cancelled":
        for released in store.release_coupon(db, order_id):
            mall.refresh_coupon(db, released["user_id"], released["code"])
        for released in store.release_loyalty_coupons(db, order_id):
            views.put_coupon(db, released["user_id"], gifts.to_coupon({**released, "used_order_id": None}))
    elif target == "paid":
        apply_payment(db, row, now, hold_days)
    elif target == "refunded":
        apply_refund(db, row, now)
    fresh = store.get_order(db, order_id)
    assert fresh is not None
    views.put_order(db, fresh["user_id"], to_summary(fresh, lines))
    views.refresh_points(db, fresh["user_id"], now)
    return to_order({**fresh, "free_return": store.is_free_return(db, order_id)}, lines), True
