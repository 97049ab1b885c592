"""Growth and tiers over the store: recording capped growth events and re-evaluating a shopper's tier."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import clock

from . import return_rules, returns_store, rules, store
from .errors import GrowthCapReached


def state(db: Any, user_id: int) -> rules.TierState:
    """A shopper's stored tier state (silver, not yet held, before the first evaluation)."""
    row = store.get_tier(db, user_id)
    if row is None:
        return rules.TierState()
    return rules.TierState(
        tier=row["tier"],
        held_until=clock.parse(row["held_until"]) if row["held_until"] else None,
        accelerated_month=row["accelerated_month"],
    )


def growth(db: Any, user_id: int, now: datetime) -> int:
    """Growth in the rolling window ending at ``now`` (never below zero)."""
    return max(0, store.growth_sum(db, user_id, clock.iso(rules.growth_window_start(now))))


def month_spend(db: Any, user_id: int, now: datetime) -> int:
    """Paid, unrefunded spend (minor units) in the calendar month holding ``now``."""
    start, end = rules.month_bounds(now)
    return store.paid_spend(db, user_id, clock.iso(start), clock.iso(end))


def current(db: Any, user_id: int, now: datetime) -> tuple[rules.TierState, int]:
    """The tier as it would be after evaluation at ``now`` (read-only, for views), and the window's growth."""
    value = growth(db, user_id, now)
    evaluated, _ = rules.evaluate_tier(state(db, user_id), value, month_spend(db, user_id, now), now)
    return evaluated, value


def evaluate(db: Any, user_id: int, now: datetime) -> tuple[rules.TierState, rules.TierChange | None]:
    """Re-evaluate and store a shopper's tier; a change is a row in tier_changes (the tier history)."""
    old = state(db, user_id)
    new, change = rules.evaluate_tier(old, growth(db, user_id, now), month_spend(db, user_id, now), now)
    at = clock.iso(now)
    if new != old or store.get_tier(db, user_id) is None:
        store.put_tier(db, user_id, new.tier, clock.iso(new.held_until) if new.held_until else None,
                       new.accelerated_month, at)
    if change is not None:
        store.insert_tier_change(db, user_id, change.from_tier, change.to_tier, change.reason, at)
    return new, change


def record_order_growth(db: Any, user_id: int, order_id: int, paid_minor: int, now: datetime) -> int:
    """Growth for a paid order (capped per order); how much was added."""
    amount = rules.order_growth(paid_minor)
    if amount and store.insert_growth(db, user_id, "order", amount, str(order_id), rules.day_key(now),
                                      rules.month_key(now), clock.iso(now)):
        return amount
    return 0


def reverse_order_growth(db: Any, user_id: int, order_id: int, now: datetime) -> int:
    """Cancel a refunded order's growth (dated like the original, so it leaves the window with it), less what
    returns of some of its lines took back already; how much."""
    original = store.growth_event(db, user_id, "order", str(order_id))
    if original is None:
        return 0
    amount = original["amount"] - returns_store.growth_reversed_by_returns(db, user_id, order_id)
    if store.insert_growth(db, user_id, "order_refund", -amount, str(order_id), original["day"],
                           original["month"], original["at"]):
        return amount
    return 0


def reverse_growth_share(db: Any, user_id: int, order_id: int, return_id: int, part: int, whole: int) -> int:
    """Cancel ``part / whole`` of an order's growth for one return of some of its lines (once per return); how much."""
    original = store.growth_event(db, user_id, "order", str(order_id))
    amount = return_rules.share(original["amount"], part, whole) if original is not None else 0
    if amount and store.insert_growth(db, user_id, "order_refund", -amount, f"{order_id}:r{return_id}",
                                      original["day"], original["month"], original["at"]):
        return amount
    return 0


def record_capped(db: Any, user_id: int, kind: str, ref: str, now: datetime) -> int:
    """A check-in, review or share within its caps; GrowthCapReached (nothing written) past them."""
    day, month = rules.day_key(now), rules.month_key(now)
    day_count, month_count = store.growth_counts(db, user_id, kind, day, month)
    if not rules.growth_allowed(kind, day_count, month_count):
        raise GrowthCapReached(f"no more {kind} growth counts for now (its cap is reached)")
    amount = rules.GROWTH_RULES[kind].amount
    if not store.insert_growth(db, user_id, kind, amount, ref, day, month, clock.iso(now)):
        raise GrowthCapReached(f"this {kind} has already counted")
    return amount
