"""Pickup points: the built-in places where a parcel sent by the ``pickup`` delivery option waits for its shopper.

Each demo shop (one per currency it delivers in) has a small fixed list. A point is named by its id; what shoppers
read about it (its name, where it is and when it is open) is in ``server/i18n/messages/pickup.json`` in every
language, keyed by that id. A point is a public place of the shop's, not the shopper's address: it is kept in the
clear on the order (the shopper's own address stays sealed).
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from .errors import BadOrderInput, UnknownPickupPoint

PickupPointId = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="a pickup point's id")]

POINTS: dict[str, tuple[str, ...]] = {
    "EUR": ("eur-central-station", "eur-market-square", "eur-university"),
    "USD": ("usd-union-station", "usd-main-street"),
    "GBP": ("gbp-kings-cross", "gbp-high-street"),
    "CNY": ("cny-xujiahui-metro", "cny-jingan-temple", "cny-lujiazui"),
    "JPY": ("jpy-shibuya-station", "jpy-ueno-park"),
}
"""The pickup points of each currency's shop, in the order the checkout lists them."""


def offered(currency: str) -> tuple[str, ...]:
    """The pickup points a cart in ``currency`` may choose from (none: the shop does not deliver in it)."""
    return POINTS.get(currency, ())


def choose(delivery: str | None, point: str | None, currency: str) -> str | None:
    """The checked pickup point of a checkout: required with the ``pickup`` option, refused with any other;
    UnknownPickupPoint for a point this currency's shop does not have."""
    if delivery != "pickup":
        if point is not None:
            raise BadOrderInput(f"pickupPoint goes with the pickup delivery option, not with {str(delivery)[:40]!r}")
        return None
    if point is None:
        raise BadOrderInput(f"the pickup delivery option needs a pickupPoint: one of {', '.join(offered(currency))}")
    if point not in offered(currency):
        raise UnknownPickupPoint(f"there is no pickup point {point[:40]!r} for {currency} orders; choose one of "
                                 f"{', '.join(offered(currency))}")
    return point
