"""The synced rows of returns: ``returns/{id}`` (each return and its status) and ``returnable/{orderId}`` (a
delivered order, its lines and until when they may be returned), so the PWA can ask for a return offline."""

from __future__ import annotations

from typing import Any

import clock
from sync import store as sync_store

from . import return_rules, returns_store, store, views
from .errors import UnknownReturn
from .return_models import ReturnableLine, ReturnableOrder, ReturnLine, ReturnView

RETURNS_PREFIX = "returns/"
RETURNABLE_PREFIX = "returnable/"


def to_view(row: dict, lines: list[dict], names: dict[str, str]) -> ReturnView:
    """The wire form of a return row and its lines (``names``: SKU → the name the order line carries)."""
    return ReturnView(
        id=row["id"], order_id=row["order_id"], status=row["status"], currency=row["currency"],
        lines=[ReturnLine(sku=l["sku"], name=names.get(l["sku"], l["sku"]), qty=l["qty"], amount=l["amount"])
               for l in lines],
        amount=row["amount"], shipping_fee=row["shipping_fee"], free_shipping=row["shipping_fee"] == 0,
        refund=return_rules.refund(row["amount"], row["shipping_fee"]), points_reversed=row["points_reversed"],
        requested_at=row["requested_at"], updated_at=row["updated_at"], approved_at=row["approved_at"],
        received_at=row["received_at"], refund_due_at=row["refund_due_at"], refunded_at=row["refunded_at"],
        rejected_at=row["rejected_at"],
    )


def _line_names(db: Any, order_id: int) -> dict[str, str]:
    return {l["sku"]: l["name"] for l in store.order_lines(db, [order_id])[order_id]}


def view(db: Any, return_id: int) -> ReturnView:
    """One return's view; UnknownReturn if there is none."""
    row = returns_store.get_return(db, return_id)
    if row is None:
        raise UnknownReturn(f"no return {return_id}")
    return to_view(row, returns_store.return_lines(db, [return_id])[return_id], _line_names(db, row["order_id"]))


def returnable(db: Any, order: dict) -> ReturnableOrder | None:
    """The ``returnable/{orderId}`` view of a delivered order (None for one not delivered, or no longer returnable)."""
    if order["status"] != return_rules.RETURNABLE_ORDER_STATUS or not return_rules.delivered(order):
        return None  # shipped but not delivered yet, or a cash-on-delivery parcel not yet paid at the door
    delivered = clock.parse(order["delivered_at"])
    returned = returns_store.live_returned_skus(db, order["id"])
    lines = store.order_lines(db, [order["id"]])[order["id"]]
    return ReturnableOrder(
        order_id=order["id"], currency=order["currency"], total=return_rules.goods_paid(order), delivered_at=order["delivered_at"],
        return_by=clock.iso(return_rules.return_by(delivered)), shipping_fee=return_rules.RETURN_SHIPPING_FEE,
        lines=[ReturnableLine(sku=l["sku"], name=l["name"], qty=l["qty"], line_total=l["line_total"],
                              returned=l["sku"] in returned) for l in lines],
    )


def put_returnable(db: Any, order: dict) -> None:
    """Bring an order's ``returnable/{id}`` row up to date (dropped once the order cannot be returned)."""
    value = returnable(db, order)
    key = f"{RETURNABLE_PREFIX}{order['id']}"
    if value is None:
        sync_store.delete_view(db, order["user_id"], key)
    else:
        views.put_row(db, order["user_id"], key, value)


def put_return(db: Any, user_id: int, return_id: int) -> ReturnView:
    """Bring a ``returns/{id}`` row up to date; the view."""
    value = view(db, return_id)
    views.put_row(db, user_id, f"{RETURNS_PREFIX}{return_id}", value)
    return value
