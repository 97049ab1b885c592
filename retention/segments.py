"""Recency/frequency/monetary scores (1-5) and the segment they put a shopper in."""

from __future__ import annotations

from datetime import datetime

import msgspec

from .customers import History
from .models import Scores


class ShopperFacts(msgspec.Struct, kw_only=True):
    """What retention knows about one shopper at one moment (gathered by facts.py, pure from here on)."""

    user_id: int
    last_activity: datetime | None = None
    orders: int = 0
    """Orders in the last 365 days."""
    revenue: int = 0
    """Their total in minor units."""
    discounted_orders: int = 0
    """Orders that used a discount (a coupon or a reward)."""
    views: int = 0
    """Product views in the last 30 days."""
    last_order_at: datetime | None = None
    cart: list[tuple[str, datetime]] = []
    """(sku, added at) of each cart line."""
    wishlist_prices: dict[str, int] = {}
    """sku -> current price of each wishlist item."""
    birthday: str | None = None
    """"MM-DD" (a year, if given, is ignored)."""
    time_zone: str | None = None
    locale: str | None = None
    tier: str | None = None
    points_expiring: list[tuple[int, datetime]] = []
    """(points, expiry) of lots that will expire."""
    consents: frozenset[str] = frozenset()
    """Purposes the shopper agreed to (accounts.consents): scored only with analytics, messages only with offers."""
    history: History | None = None
    """Order history and browse counts for the customer model (None: nothing known)."""
    cart_value: int = 0
    """What the cart holds at today's prices (minor units)."""
    product_views: dict[str, int] = {}
    """sku -> views in the last 14 days."""
    bought: list[str] = []
    """SKUs the shopper ever bought (paid)."""
    order_updates: list[tuple[int, str]] = []
    """(order id, 'shipped' | 'delivered') of the last two days."""
    tags: list[str] = []
    """Filled from the customer model during a run."""
    categories: list[str] = []
    """Affinity categories, filled from the customer model during a run."""


RECENCY_DAYS = (7, 30, 60, 89)  # at most this many days since activity -> 5, 4, 3, 2; older -> 1 (churn)
FREQUENCY_ORDERS = (1, 2, 4, 7)  # at least this many orders -> 2, 3, 4, 5; none -> 1
MONETARY_MINOR = (1, 5_000, 20_000, 50_000)  # at least this much revenue -> 2, 3, 4, 5


def _score_at_most(value: int, steps: tuple[int, ...]) -> int:
    for i, step in enumerate(steps):
        if value <= step:
            return 5 - i
    return 1


def _score_at_least(value: int, steps: tuple[int, ...]) -> int:
    return 1 + sum(1 for step in steps if value >= step)


def score(facts: ShopperFacts, now: datetime, churn_after_days: int = 90) -> Scores:
    """The shopper's scores and segment; the first matching rule wins, in the order below.

    churn_risk: no activity for ``churn_after_days``; price_sensitive: two or more orders, most of them
    discounted; loyal: recency and frequency both 4+; new_explorer: 10+ views in 30 days and at most one
    order; regular: everyone else.
    """
    days = None if facts.last_activity is None else max(0, (now - facts.last_activity).days)
    recency = 1 if days is None else _score_at_most(days, RECENCY_DAYS)
    frequency = _score_at_least(facts.orders, FREQUENCY_ORDERS)
    monetary = _score_at_least(facts.revenue, MONETARY_MINOR)
    share = facts.discounted_orders / facts.orders if facts.orders else 0.0
    if days is not None and days >= churn_after_days:
        segment = "churn_risk"
    elif facts.orders >= 2 and share > 0.5:
        segment = "price_sensitive"
    elif recency >= 4 and frequency >= 4:
        segment = "loyal"
    elif facts.views >= 10 and facts.orders <= 1:
        segment = "new_explorer"
    else:
        segment = "regular"
    return Scores(
        user_id=facts.user_id, recency=recency, frequency=frequency, monetary=monetary, segment=segment,
        days_since_activity=days, orders=facts.orders, revenue=facts.revenue,
        discounted_share=round(share, 3), views=facts.views,
    )
