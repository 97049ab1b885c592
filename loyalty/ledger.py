"""The points ledger over the store: lots from rows, earning, spending, expiry, refund reversal, the points view.

Every function takes the ``db`` of the caller's transaction; writers call them inside ``database.write()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import clock

from . import return_rules, rules, store
from .models import ExpiringLot, PointsView


def _entry(row: dict) -> rules.Entry:
    return rules.Entry(
        id=row["id"],
        kind=row["kind"],
        points=row["points"],
        lot_id=row["lot_id"],
        at=clock.parse(row["at"]),
        available_at=clock.parse(row["available_at"]) if row["available_at"] else None,
        expires_at=clock.parse(row["expires_at"]) if row["expires_at"] else None,
        order_id=row["order_id"],
    )


def lots(db: Any, user_id: int) -> dict[int, rules.Lot]:
    """A shopper's lots with what remains in each."""
    return rules.build_lots(_entry(row) for row in store.ledger_entries(db, user_id))


def _write(db: Any, user_id: int, debits: list[rules.Debit], now: datetime, **refs: Any) -> int:
    at = clock.iso(now)
    for debit in debits:
        if debit.points:
            store.insert_debit(db, user_id, debit.kind, debit.points, debit.lot_id, at, **refs)
    return sum(d.points for d in debits)


def settle(db: Any, user_id: int, now: datetime) -> int:
    """Write off what remains of lots past their expiry (lazy expiry made durable); points written off."""
    return _write(db, user_id, rules.plan_expiry(lots(db, user_id).values(), now), now)


def earn(db: Any, user_id: int, kind: str, points: int, now: datetime, hold_days: int, order_id: int | None) -> int | None:
    """A new pending lot (``kind`` 'earn' or 'bonus'); its id, or None for zero points."""
    if points <= 0:
        return None
    available_at, expires_at = rules.lot_dates(now, hold_days)
    return store.insert_lot(db, user_id, kind, points, clock.iso(now), clock.iso(available_at), clock.iso(expires_at), order_id)


def spend(db: Any, user_id: int, points: int, now: datetime, redemption_id: int | None = None) -> None:
    """Spend available points, soonest-expiring lots first; NotEnoughPoints leaves the ledger as it was."""
    settle(db, user_id, now)
    _write(db, user_id, rules.plan_spend(lots(db, user_id).values(), points, now), now, redemption_id=redemption_id)


def _clawed_back(db: Any, user_id: int, order_id: int) -> int:
    """Points clawed back from other lots for this order so far (by returns of some of its lines)."""
    return -sum(r["points"] for r in store.ledger_entries(db, user_id) if r["kind"] == "clawback" and r["order_id"] == order_id)


def reverse_order(db: Any, user_id: int, order_id: int, now: datetime) -> tuple[int, int]:
    """Take back what a refunded order earned (see rules.plan_reversal): (points taken back, points written off)."""
    settle(db, user_id, now)
    debits, written_off = rules.plan_reversal(lots(db, user_id).values(), order_id, now,
                                              _clawed_back(db, user_id, order_id))
    taken = _write(db, user_id, debits, now, order_id=order_id)
    return taken, written_off


def reverse_share(db: Any, user_id: int, order_id: int, part: int, whole: int, now: datetime) -> tuple[int, int]:
    """Take back ``part / whole`` of what the order's earned lot gave (a return of some of its lines, see
    rules.plan_partial_reversal): (points taken back, points written off)."""
    settle(db, user_id, now)
    all_lots = lots(db, user_id)
    earned = sum(lot.points for lot in all_lots.values() if lot.order_id == order_id and lot.kind == "earn")
    points = return_rules.share(earned, part, whole) if whole > 0 else 0
    if points <= 0:
        return 0, 0
    debits, written_off = rules.plan_partial_reversal(all_lots.values(), order_id, points,
                                                      _clawed_back(db, user_id, order_id), now)
    return _write(db, user_id, debits, now, order_id=order_id), written_off


def balances(db: Any, user_id: int, now: datetime) -> tuple[int, int, list[rules.Lot]]:
    """Available balance, pending points and lots expiring soon, as of ``now`` (expiry applied lazily)."""
    all_lots = list(lots(db, user_id).values())
    return (
        rules.available_balance(all_lots, now),
        rules.pending_balance(all_lots, now),
        rules.expiring_soon(all_lots, now),
    )


def points_view(db: Any, user_id: int, now: datetime, tier: rules.TierState, growth: int) -> PointsView:
    """The ``points`` view: balance, pending, tier, growth and progress, lots expiring soon."""
    balance, pending, soon = balances(db, user_id, now)
    above, needed, progress = rules.tier_progress(tier.tier, growth)
    return PointsView(
        balance=balance,
        pending=pending,
        tier=tier.tier,
        growth=growth,
        multiplier=rules.TIER_MULTIPLIER_TENTHS[tier.tier] / 10,
        next_tier=above,
        growth_to_next=needed,
        progress=progress,
        tier_held_until=clock.iso(tier.held_until) if tier.held_until else None,
        expiring=[ExpiringLot(points=lot.remaining, expires_at=clock.iso(lot.expires_at)) for lot in soon],
    )
