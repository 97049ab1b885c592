"""The rules of returns as pure functions: the 7-day window, the statuses, what a return refunds, the refund target."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

RETURN_WINDOW_DAYS = 7
"""A no-reason return may be asked for up to 7 days after delivery."""

REFUND_TARGET_HOURS = 4
"""Operators refund a return within 4 hours of receiving the goods."""

RETURN_SHIPPING_FEE = 500
"""Return shipping (minor units, the order's currency) deducted from a refund beyond the tier's free returns."""

RETURN_STATUSES: tuple[str, ...] = ("requested", "approved", "received", "refunded", "rejected")
RETURN_MOVES: dict[str, tuple[str, ...]] = {
    "requested": ("approved", "rejected"),
    "approved": ("received", "rejected"),
    "received": ("refunded", "rejected"),
    "refunded": (),
    "rejected": (),
}
"""Allowed status moves: requested → approved → received → refunded, or rejected on the way."""

RETURNABLE_ORDER_STATUS = "fulfilled"
"""The order status of goods that left the shop and were not refunded. ``fulfilled`` means shipped (``fulfilled_at``);
the goods are delivered once the carrier confirms it (``delivered_at``, see ``delivered``): only then may they be
returned, and the 7-day window opens at ``delivered_at``."""


def delivered(order: dict) -> bool:
    """Whether an ``orders`` row's goods reached the shopper and were paid for: the carrier confirmed delivery
    (``delivered_at``) and the order is paid (a cash-on-delivery parcel is paid at that door)."""
    return bool(order.get("delivered_at")) and bool(order.get("paid_at"))


def can_move(current: str, target: str) -> bool:
    """Whether a return may move from ``current`` to ``target``."""
    return target in RETURN_MOVES.get(current, ())


def return_by(delivered_at: datetime) -> datetime:
    """The last moment a return of goods delivered at ``delivered_at`` may be asked for."""
    return delivered_at + timedelta(days=RETURN_WINDOW_DAYS)


def window_open(delivered_at: datetime, now: datetime) -> bool:
    """Whether a return asked for at ``now`` is inside the window."""
    return delivered_at <= now <= return_by(delivered_at)


def refund_due(received_at: datetime) -> datetime:
    """When the refund of goods received at ``received_at`` is due."""
    return received_at + timedelta(hours=REFUND_TARGET_HOURS)


def seconds_left(due: datetime, now: datetime) -> int:
    """Seconds until the refund target (negative: overdue by that many)."""
    return int((due - now).total_seconds())


def goods_paid(order: dict) -> int:
    """What an order cost for its goods: its total less the delivery fee (a return gives the goods' money back;
    the delivery happened)."""
    return order["total"] - (order.get("shipping") or 0)


def line_share(line_total: int, subtotal: int, total: int) -> int:
    """A line's share of what the order cost after its discount (rounded down; the last return takes the rest)."""
    return line_total * total // subtotal if subtotal else 0


def return_amount(lines: Iterable[dict], subtotal: int, total: int, refunded_before: int, completes: bool) -> int:
    """What returning these order lines gives back: their shares, or everything not yet given back when this
    return covers the order's last lines (so the returns of one order add up to its total exactly)."""
    if completes:
        return max(0, total - refunded_before)
    return sum(line_share(l["line_total"], subtotal, total) for l in lines)


def shipping_fee(free: bool) -> int:
    """The return shipping deducted from the refund: none within the tier's allowance."""
    return 0 if free else RETURN_SHIPPING_FEE


def refund(amount: int, fee: int) -> int:
    """The money a return refunds: the goods' value less the shipping fee (never below zero)."""
    return max(0, amount - fee)


def share(value: int, part: int, whole: int) -> int:
    """``value`` scaled by ``part / whole``, rounded down (points and growth a partial return takes back)."""
    return value * part // whole if whole > 0 else 0
