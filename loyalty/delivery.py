"""Delivery options and their prices: standard, express, pickup point, in the order's currency.

Prices are integer minor units per currency (catalog.money formats them); standard delivery is free from a
threshold of goods (after discounts). The server prices delivery: the client only names the option it chose.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import BadOrderInput, UnknownDeliveryOption


@dataclass(frozen=True)
class Rates:
    """One currency's delivery prices (minor units) and the goods value from which standard is free."""

    standard: int
    express: int
    pickup: int
    free_standard_from: int


RATES: dict[str, Rates] = {
    "EUR": Rates(standard=490, express=990, pickup=190, free_standard_from=5_000),
    "USD": Rates(standard=499, express=1_099, pickup=199, free_standard_from=5_000),
    "GBP": Rates(standard=399, express=899, pickup=149, free_standard_from=4_000),
    "CNY": Rates(standard=800, express=2_000, pickup=0, free_standard_from=9_900),
    "JPY": Rates(standard=600, express=1_200, pickup=0, free_standard_from=5_000),
}
"""The currencies the shop delivers in; a cart in another currency cannot choose delivery."""

OPTION_IDS: tuple[str, ...] = ("standard", "express", "pickup")
DAYS: dict[str, tuple[int, int]] = {"standard": (2, 4), "express": (1, 1), "pickup": (2, 5)}
"""Working days from shipping to arrival (the page shows them; nothing is promised by the clock)."""


@dataclass(frozen=True)
class Option:
    """A delivery option priced for one cart."""

    id: str
    price: int
    free: bool
    days_min: int
    days_max: int


def options(currency: str, goods: int) -> list[Option]:
    """Every option for a cart of ``goods`` (minor units, after discounts) in ``currency``."""
    rates = RATES.get(currency)
    if rates is None:
        raise BadOrderInput(f"delivery is not offered for {currency} orders")
    made = []
    for option_id in OPTION_IDS:
        price = getattr(rates, option_id)
        free = option_id == "standard" and goods >= rates.free_standard_from
        low, high = DAYS[option_id]
        made.append(Option(id=option_id, price=0 if free else price, free=free or price == 0, days_min=low, days_max=high))
    return made


def choose(option_id: str, currency: str, goods: int) -> Option:
    """The option the shopper chose, priced; UnknownDeliveryOption for a name the shop does not offer."""
    for option in options(currency, goods):
        if option.id == option_id:
            return option
    raise UnknownDeliveryOption(f"unknown delivery option {option_id[:40]!r}; choose one of {', '.join(OPTION_IDS)}")


def free_standard_from(currency: str) -> int | None:
    """The goods value from which standard delivery is free (None: not delivered in that currency)."""
    rates = RATES.get(currency)
    return rates.free_standard_from if rates else None
