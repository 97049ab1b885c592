"""The customer model: per shopper AOV, repurchase rate, historic and predicted 12-month LTV, churn signals
(inactivity, and an order rhythm falling behind the shopper's own), returns, category affinity and tags.

Pure: ``model(history, now)`` from a shopper's order history and browse counts; ``attributes`` flattens a model
and the shopper's scores into what audience rules test (retention/rules.py). docs/retention.md explains each
measure and why it is computed the way it is.
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime

import msgspec

INACTIVE_DAYS = 90
"""No activity for this long is the inactivity churn signal (the churn-risk segment uses the same)."""

RHYTHM_FACTOR = 2.0
"""The rhythm falls when the wait since the last order exceeds this many of the shopper's usual gaps."""

AFFINITY_SHARE = 0.4
"""A category holding this share of a shopper's bought and viewed items is an affinity."""


class OrderFact(msgspec.Struct, frozen=True):
    """One order of a shopper's history as the model needs it."""

    paid_at: datetime
    total: int
    refunded: bool = False
    discounted: bool = False


class History(msgspec.Struct, kw_only=True):
    """What the model is computed from."""

    orders: list[OrderFact] = []
    categories_bought: dict[str, int] = {}
    """category -> units bought (paid orders)."""
    categories_viewed: dict[str, int] = {}
    """category -> product views (90 days)."""
    last_activity: datetime | None = None
    operator_tags: list[str] = []


class CustomerModel(msgspec.Struct, rename="camel", kw_only=True):
    """What the shop knows of one shopper's value and loyalty."""

    orders: int
    revenue: int
    aov: int
    repurchase_rate: int
    """Percent of the shopper's orders that were repeat purchases (0 with one order or none)."""
    historic_ltv: int
    predicted_ltv12m: int = msgspec.field(name="predictedLtv12m")
    expected_orders12m: float = msgspec.field(name="expectedOrders12m")
    returns: int
    return_rate: int
    """Percent of paid orders that were refunded."""
    days_since_last_order: int | None
    usual_gap_days: float | None
    churn_signals: list[str]
    categories: list[str]
    tags: list[str]


def _gaps(times: list[datetime]) -> list[float]:
    return [(b - a).total_seconds() / 86_400 for a, b in zip(times, times[1:])]


def model(history: History, now: datetime) -> CustomerModel:
    """The customer model of one shopper at ``now``."""
    paid = sorted(history.orders, key=lambda o: o.paid_at)
    kept = [o for o in paid if not o.refunded]
    revenue = sum(o.total for o in kept)
    orders = len(kept)
    aov = revenue // orders if orders else 0
    returns = len(paid) - orders
    times = [o.paid_at for o in kept]
    gaps = _gaps(times)
    usual = statistics.median(gaps) if gaps else None
    since = max(0, (now - times[-1]).days) if times else None
    signals = []
    inactive_for = (now - history.last_activity).days if history.last_activity else None
    if inactive_for is not None and inactive_for >= INACTIVE_DAYS:
        signals.append("inactive")
    if usual is not None and since is not None and len(times) >= 3 and since > RHYTHM_FACTOR * max(usual, 1.0):
        signals.append("rhythm_falling")  # waiting far longer than this shopper usually does
    if len(gaps) >= 3 and gaps[-1] > RHYTHM_FACTOR * statistics.median(gaps[:-1]):
        if "rhythm_falling" not in signals:
            signals.append("rhythm_falling")  # the last gap already stretched
    if paid and returns / len(paid) >= 0.3:
        signals.append("returns")
    # Predicted 12-month orders: the shopper's own rate, times the chance they are still a customer, which decays
    # as the wait since the last order grows past their usual gap (a simple BG/NBD-like heuristic).
    expected = 0.0
    if times:
        tenure = max(30.0, (now - times[0]).total_seconds() / 86_400)
        rate = orders / tenure * 365
        gap = max(usual or tenure, 7.0)
        alive = math.exp(-max(0.0, (since or 0) - gap) / gap)
        expected = round(rate * alive, 2)
    predicted = int(round(expected * aov))
    views = history.categories_viewed
    interest: dict[str, int] = {}
    for source in (history.categories_bought, views):
        for category, count in source.items():
            interest[category] = interest.get(category, 0) + count
    total = sum(interest.values())
    categories = sorted((c for c, n in interest.items() if total and n / total >= AFFINITY_SHARE),
                        key=lambda c: (-interest[c], c))
    repurchase = round(100 * (orders - 1) / orders) if orders > 1 else 0
    tags = [f"affinity-{c}" for c in categories]
    if orders >= 4 and repurchase >= 60:
        tags.append("high-repurchase")
    if aov >= 10_000:
        tags.append("big-basket")
    if paid and returns / len(paid) >= 0.3:
        tags.append("returner")
    if kept and sum(o.discounted for o in kept) / orders > 0.5:
        tags.append("deal-seeker")
    if orders == 1 and since is not None and since <= 30:
        tags.append("first-timer")
    if "rhythm_falling" in signals:
        tags.append("slowing-down")
    tags += [t for t in history.operator_tags if t not in tags]
    return CustomerModel(
        orders=orders, revenue=revenue, aov=aov, repurchase_rate=repurchase, historic_ltv=revenue,
        predicted_ltv12m=predicted, expected_orders12m=expected, returns=returns,
        return_rate=round(100 * returns / len(paid)) if paid else 0, days_since_last_order=since,
        usual_gap_days=round(usual, 1) if usual is not None else None, churn_signals=signals,
        categories=categories, tags=tags,
    )


def attributes(customer: CustomerModel, scores: dict, *, tier: str | None, locale: str | None, cart_value: int,
               consents: list[str]) -> dict:
    """The flat attributes audience rules test (field names of retention/rules.FIELDS)."""
    return {
        "segment": scores.get("segment"), "tier": tier or "silver", "tags": customer.tags,
        "recency": scores.get("recency"), "frequency": scores.get("frequency"), "monetary": scores.get("monetary"),
        "days_since_last_order": customer.days_since_last_order, "cart_value": cart_value,
        "category_affinity": customer.categories, "consent": consents, "locale": locale,
        "orders": customer.orders, "aov": customer.aov, "repurchase_rate": customer.repurchase_rate,
        "predicted_ltv": customer.predicted_ltv12m,
    }
