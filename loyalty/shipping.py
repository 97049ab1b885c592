"""Handing an order to the carrier: the timeline's "shipped" step between payment and delivery.

Shipping does not change the order's status (``paid`` for a card, ``placed`` for cash on delivery, which is paid
at the door); it stamps ``shipped_at`` with a conditional update, once. Delivery is the status ``fulfilled``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

import clock

from . import checkout_store, orders, rules, store, views
from .errors import BadTransition, UnknownOrder
from .models import Order


def mark_shipped(db: Any, order_id: int, now: datetime, listeners: Sequence[orders.OrderListener] = ()) -> tuple[Order, bool]:
    """Record that the order left with the carrier; (the order, whether it changed). Shipping again changes nothing."""
    row = store.get_order(db, order_id)
    if row is None:
        raise UnknownOrder(f"no order {order_id}")
    if row.get("shipped_at"):
        return orders.get(db, order_id), False
    payment = row.get("payment_method")
    if not rules.may_ship(row["status"], payment):
        needs = "placed" if payment == "cod" else "paid"
        raise BadTransition(f"an order that is {row['status']} cannot be shipped; it ships while {needs}")
    if not checkout_store.ship(db, order_id, row["status"], clock.iso(now)):
        raise BadTransition(f"order {order_id} changed meanwhile; read it again")
    fresh = store.get_order(db, order_id)
    assert fresh is not None
    lines = store.order_lines(db, [order_id])[order_id]
    views.put_order(db, fresh["user_id"], orders.to_summary(fresh, lines))
    order = orders.get(db, order_id)
    orders.tell(listeners, orders.OrderStatusChanged(db=db, user_id=fresh["user_id"], order_id=order_id,
                                                     previous=row["status"], status="shipped", order=order, at=now))
    return order, True
