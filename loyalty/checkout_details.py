"""Checkout's choices checked on the server: the address (from the caller's own synced address book), the
delivery option (priced by loyalty.delivery) and the payment method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from sync import addresses

from . import delivery, pickup_points
from .errors import BadOrderInput, UnknownAddress
from .models import CheckoutRequest


@dataclass(frozen=True)
class Details:
    """What a checkout with delivery settled: where, how (priced) and how it is paid."""

    address: dict
    option: delivery.Option
    method: str
    token: str | None
    pickup_point: str | None = None


def address(db: Any, user_id: int, address_id: str) -> dict:
    """The caller's own address by id, as stored; UnknownAddress for anyone else's id or a removed one."""
    found = addresses.address_of(db, user_id, address_id)
    if found is None:
        raise UnknownAddress(f"there is no address {address_id!r} in your address book")
    return msgspec.to_builtins(found)


def resolve(db: Any, user_id: int, body: CheckoutRequest, currency: str, goods: int) -> Details | None:
    """The checkout's details, checked; None for an order placed without them (paid later by an operator)."""
    given = {"addressId": body.address_id, "delivery": body.delivery, "payment": body.payment}
    if all(value is None for value in given.values()):
        if body.pickup_point is not None:
            raise BadOrderInput("pickupPoint goes with the pickup delivery option, and none was chosen")
        return None
    missing = [name for name, value in given.items() if value is None]
    if missing:
        raise BadOrderInput(f"a checkout with delivery needs addressId, delivery and payment; missing: {', '.join(missing)}")
    assert body.address_id is not None and body.delivery is not None and body.payment is not None
    option = delivery.choose(body.delivery, currency, goods)
    point = pickup_points.choose(option.id, body.pickup_point, currency)
    return Details(address=address(db, user_id, body.address_id), option=option, method=body.payment.method,
                   token=body.payment.token, pickup_point=point)
