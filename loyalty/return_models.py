"""Wire Structs of returns (camelCase): the sync mutation's args, the synced views, operator input and lists."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from .models import MAX_ORDER_LINES, Sku

OrderId = Annotated[int, Meta(ge=1, le=2**63 - 1)]


class ReturnRequestArgs(msgspec.Struct, rename="camel"):
    """``returns.request``: return an order (``skus`` empty: every line not returned yet) or some of its lines."""

    order_id: OrderId
    skus: Annotated[list[Sku], Meta(max_length=MAX_ORDER_LINES)] = []


class ReturnLine(msgspec.Struct, rename="camel", frozen=True):
    """A returned order line (whole lines are returned) and its share of the refund."""

    sku: str
    name: str
    qty: int
    amount: int


class ReturnView(msgspec.Struct, rename="camel", frozen=True):
    """A return as the shopper's devices see it (view key ``returns/{id}``) and operators read it."""

    id: int
    order_id: int
    status: str
    currency: str
    lines: list[ReturnLine]
    amount: int
    """The returned goods' value (their share of what the order cost after its discount)."""
    shipping_fee: int
    """Return shipping deducted from the refund: 0 within the tier's yearly free returns."""
    free_shipping: bool
    refund: int
    """What is refunded: amount less the shipping fee."""
    points_reversed: int
    requested_at: str
    updated_at: str
    approved_at: str | None = None
    received_at: str | None = None
    refund_due_at: str | None = None
    """The refund target: 4 hours after the goods were received."""
    refunded_at: str | None = None
    rejected_at: str | None = None


class ReturnableLine(msgspec.Struct, rename="camel", frozen=True):
    """An order line in the ``returnable/{orderId}`` view; ``returned``: it is in a live return already."""

    sku: str
    name: str
    qty: int
    line_total: int
    returned: bool


class ReturnableOrder(msgspec.Struct, rename="camel", frozen=True):
    """A delivered order the shopper may return from until ``return_by`` (view key ``returnable/{orderId}``)."""

    order_id: int
    currency: str
    total: int
    """What the goods cost (the order's total less its delivery fee): what returning all of them gives back."""
    delivered_at: str
    return_by: str
    shipping_fee: int
    """What a return costs beyond the tier's free returns (``points.perks.freeReturnsLeft`` says how many are left)."""
    lines: list[ReturnableLine]


class ReturnStatusChange(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Operator input moving a return along its statuses."""

    status: Literal["approved", "received", "refunded", "rejected"]


class AdminReturn(msgspec.Struct, rename="camel", frozen=True):
    """A return in the operators' list, with the shopper and the time left to the refund target."""

    user_id: int
    ret: ReturnView = msgspec.field(name="return")
    seconds_to_refund_target: int | None = None
    """Seconds until the refund is due (negative: overdue by that many); set once the goods are received."""


class AdminReturnList(msgspec.Struct, rename="camel", frozen=True):
    """A page of returns, newest first; ``next_cursor`` is the id to continue before."""

    items: list[AdminReturn]
    next_cursor: int | None = None
