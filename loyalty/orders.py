"""Orders after checkout: reading them, and the life cycle placed → paid → fulfilled, or → cancelled / refunded.

Paying earns points (pending for the hold period) and growth; refunding takes both back (docs/loyalty.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

import clock
from clock.rows import from_row
from catalog import store as catalog_store
from sync import store as sync_store

from . import badges, checkout_store, gifts, ledger, mall, perks, return_views, returns_store, rules, store, tiers, views
from .errors import BadTransition, UnknownOrder
from .models import Order, OrderLine, OrderList, OrderSummary
from .timeline import timeline


@dataclass(frozen=True)
class OrderStatusChanged:
    """An order moved (told to listeners inside the transaction that moved it, so what they write is atomic)."""

    db: Any
    user_id: int
    order_id: int
    previous: str
    status: str
    order: Order
    at: datetime


OrderListener = Callable[[OrderStatusChanged], None]
"""Hears every real status change, and delivery (``status`` "delivered": ``deliver``); server/wiring.py lists
them: retention's order notifications."""


def to_order(row: dict, lines: list[dict]) -> Order:
    """The wire form of an order row and its lines."""
    return from_row(
        Order,
        row,
        lines=[from_row(OrderLine, line) for line in lines],
        free_return=bool(row.get("free_return")),
        shipping=row.get("shipping") or 0,
        payment=row.get("payment_method"),
        address=checkout_store.open_address(row),
        timeline=timeline(row),
    )


def to_summary(row: dict, lines: list[dict]) -> OrderSummary:
    """The short form of an order (lists and the ``orders/{id}`` view)."""
    return from_row(OrderSummary, row, items=sum(line["qty"] for line in lines), payment=row.get("payment_method"),
                    timeline=timeline(row))


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
    for line in sorted(lines, key=lambda l: l["sku"]):
        catalog_store.return_stock(db, line["sku"], line["qty"], clock.iso(now))


def apply_payment(db: Any, row: dict, now: datetime, hold_days: int) -> None:
    """What paying an order earns: points at the tier before it, a first-order bonus, growth; tier re-evaluated."""
    user_id, order_id = row["user_id"], row["id"]
    ledger.settle(db, user_id, now)
    state, _ = tiers.evaluate(db, user_id, now)  # the tier before this order sets the multiplier
    goods = row["total"] - (row.get("shipping") or 0)  # delivery fees earn no points and no growth
    earned = rules.order_points(goods, state.tier)
    ledger.earn(db, user_id, "earn", earned, now, hold_days, order_id)
    if goods > 0 and not store.has_kept_bonus(db, user_id):
        ledger.earn(db, user_id, "bonus", rules.FIRST_ORDER_BONUS, now, hold_days, order_id)
        earned += rules.FIRST_ORDER_BONUS
    store.set_order_points(db, order_id, earned=earned)
    tiers.record_order_growth(db, user_id, order_id, goods, now)
    tiers.evaluate(db, user_id, now)
    badges.after_order_paid(db, user_id, now)


def apply_refund(db: Any, row: dict, now: datetime) -> None:
    """What refunding an order takes back: its points (clawed back or written off) and its growth."""
    user_id, order_id = row["user_id"], row["id"]
    # Goods came back: the tier's free-return allowance pays the shipping (returns asked for through
    # loyalty/returns.py decided that when they were asked for).
    if row["status"] == "fulfilled" and not returns_store.order_returns(db, order_id):
        perks.claim_free_return(db, user_id, order_id, tiers.current(db, user_id, now)[0].tier, now)
    taken, written_off = ledger.reverse_order(db, user_id, order_id, now)
    # Added to what returns of some of its lines took back already (zero for an order refunded in one go).
    store.set_order_points(db, order_id, reversed_=row["points_reversed"] + taken,
                           written_off=row["points_written_off"] + written_off)
    tiers.reverse_order_growth(db, user_id, order_id, now)
    tiers.evaluate(db, user_id, now)


def change_status(db: Any, order_id: int, target: str, now: datetime, hold_days: int, *,
                  listeners: Sequence[OrderListener] = ()) -> tuple[Order, bool]:
    """Move an order (a payment provider's webhook would); (the order, whether it changed).

    Repeating the status the order already has changes nothing (webhooks are retried); any other move the
    life cycle does not allow is BadTransition.
    """
    row = store.get_order(db, order_id)
    if row is None:
        raise UnknownOrder(f"no order {order_id}")
    sync_store.lock_shopper(db, row["user_id"])  # the ledger and tier work below reads, then writes
    row = store.get_order(db, order_id)  # as it is now that this shopper's other writers are done
    assert row is not None
    current = row["status"]
    if current == target:
        return get(db, order_id), False
    payment = row.get("payment_method")
    if not rules.can_move(current, target, payment):
        raise BadTransition(f"an order that is {current} cannot become {target}")
    if payment == "cod" and current == "fulfilled" and (target == "refunded") != bool(row["paid_at"]):
        raise BadTransition("a cash-on-delivery parcel not yet paid is cancelled, a delivered and paid one refunded")
    if not store.move_order(db, order_id, current, target, clock.iso(now)):
        raise BadTransition(f"order {order_id} changed meanwhile; read it again")
    lines = store.order_lines(db, [order_id])[order_id]
    if rules.restocks(current, target, payment):
        _restock(db, lines, now)
    if target == "cancelled":
        mall_coupons, loyalty_coupons = store.release_coupons(db, order_id)
        for released in mall_coupons:
            mall.refresh_coupon(db, released["user_id"], released["code"])
        for released in loyalty_coupons:
            views.put_coupon(db, released["user_id"], gifts.to_coupon(released))
    elif target == "paid":
        apply_payment(db, row, now, hold_days)
    elif target == "refunded":
        apply_refund(db, row, now)
    fresh = store.get_order(db, order_id)
    assert fresh is not None
    views.put_order(db, fresh["user_id"], to_summary(fresh, lines))
    if target == "refunded":
        return_views.put_returnable(db, fresh)  # refunded: no longer returnable (shipping is not delivery: deliver())
    views.refresh_points(db, fresh["user_id"], now)
    order = to_order({**fresh, "free_return": store.is_free_return(db, order_id)}, lines)
    tell(listeners, OrderStatusChanged(db=db, user_id=fresh["user_id"], order_id=order_id, previous=current,
                                       status=target, order=order, at=now))
    return order, True


def tell(listeners: Sequence[OrderListener], change: OrderStatusChanged) -> None:
    """Hand a status change to every listener (inside its transaction)."""
    for listener in listeners:
        listener(change)


def deliver(db: Any, order_id: int, now: datetime, hold_days: int, *,
            listeners: Sequence[OrderListener] = ()) -> tuple[Order, bool]:
    """The carrier confirmed delivery of a fulfilled (shipped) order, once; (the order, whether it changed).

    A cash-on-delivery order is paid now: the courier collected the cash (points and growth are earned as for
    any payment). Anything not fulfilled is BadTransition; a second confirmation changes nothing.
    """
    row = store.get_order(db, order_id)
    if row is None:
        raise UnknownOrder(f"no order {order_id}")
    sync_store.lock_shopper(db, row["user_id"])  # its views (and a cash payment's ledger and tier) are read, then written
    row = store.get_order(db, order_id)  # as it is now that this shopper's other writers are done
    assert row is not None
    if row.get("delivered_at"):
        return get(db, order_id), False
    if not store.mark_delivered(db, order_id, clock.iso(now)):
        raise BadTransition(f"an order that is {row['status']} cannot be delivered")
    if row.get("payment_method") == "cod" and checkout_store.stamp_paid(db, order_id, clock.iso(now)):
        apply_payment(db, row, now, hold_days)
    fresh = store.get_order(db, order_id)
    assert fresh is not None
    lines = store.order_lines(db, [order_id])[order_id]
    views.put_order(db, fresh["user_id"], to_summary(fresh, lines))
    return_views.put_returnable(db, fresh)  # delivered: returnable for 7 days from now (cash on delivery: paid now)
    views.refresh_points(db, fresh["user_id"], now)
    order = get(db, order_id)
    tell(listeners, OrderStatusChanged(db=db, user_id=fresh["user_id"], order_id=order_id, previous=row["status"],
                                       status="delivered", order=order, at=now))
    return order, True
