"""The loyalty programme's rules as pure functions: earning, lots and their expiry, refunds, growth caps, tiers.

Nothing here touches a database or a clock: callers pass ``now`` and the rows they read, and get back what
to write. docs/loyalty.md explains each rule and why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable, Literal

import clock

from .errors import NotEnoughPoints

# ---------------------------------------------------------------------------------------------- constants

MINOR_PER_UNIT = 100
"""Prices are integer minor units; every currency the shop sells in has 100 minor units to the unit."""

FIRST_ORDER_BONUS = 1_000
"""Points on a shopper's first paid order (once per shopper; given back if that order is refunded)."""

LOT_LIFETIME_MONTHS = 12
"""A lot expires this many calendar months after it becomes available."""

EXPIRING_SOON_DAYS = 30
"""Lots expiring within this many days are listed as "expiring soon" in the points view."""

Tier = Literal["silver", "gold", "diamond"]
TIERS: tuple[Tier, ...] = ("silver", "gold", "diamond")
TIER_THRESHOLDS: dict[str, int] = {"silver": 0, "gold": 5_000, "diamond": 20_000}
"""Growth value over the rolling window a tier needs."""

TIER_MULTIPLIER_TENTHS: dict[str, int] = {"silver": 10, "gold": 15, "diamond": 20}
"""Points per currency unit, in tenths (gold earns 1.5 points per unit)."""

GROWTH_WINDOW_DAYS = 365
"""Growth counts towards a tier for this many days after it was earned (the rolling window)."""

TIER_HOLD_DAYS = 365
"""A tier, once reached (or kept after a downgrade review), is held this long before it can drop."""

ACCELERATED_MONTH_SPEND_MINOR = 2_000 * MINOR_PER_UNIT
"""Paid spend in one calendar month above this (strictly) upgrades the shopper one tier at once."""

def tier_rank(tier: str | None) -> int:
    """0 for silver (or none), 1 for gold, 2 for diamond."""
    return TIERS.index(tier) if tier in TIERS else 0  # type: ignore[arg-type]


def reward_cost(points_cost: int, gold_cost: int | None, diamond_cost: int | None, tier: str) -> int:
    """What a tier-priced reward costs a shopper at ``tier``: the tier's own price, else the tier below's."""
    if tier == "diamond" and diamond_cost is not None:
        return diamond_cost
    if tier in ("gold", "diamond") and gold_cost is not None:
        return gold_cost
    return points_cost


GrowthKind = Literal["order", "checkin", "review", "share"]


@dataclass(frozen=True)
class GrowthRule:
    """How much growth one event gives and how often it may count."""

    amount: int
    per_day: int | None = None
    per_month: int | None = None


GROWTH_RULES: dict[str, GrowthRule] = {
    "checkin": GrowthRule(amount=2, per_day=1),
    "review": GrowthRule(amount=20, per_month=4),
    "share": GrowthRule(amount=5, per_day=3, per_month=10),
}
"""Caps on growth that costs a shopper nothing; orders are capped per order instead (ORDER_GROWTH_CAP)."""

ORDER_GROWTH_CAP = 2_000
"""Growth from one paid order: one per currency unit paid, at most this much."""

IDEMPOTENCY_KEEP_HOURS = 24
"""Checkout idempotency keys (with the first response) are kept at least this long."""


# ---------------------------------------------------------------------------------------------- calendar


def add_months(dt: datetime, months: int) -> datetime:
    """``dt`` moved by calendar months, the day clamped to the target month's length (29 Feb → 28 Feb)."""
    total = dt.year * 12 + (dt.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    days = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.replace(year=year, month=month, day=min(dt.day, days))


def month_key(dt: datetime) -> str:
    """The calendar month (UTC) an instant falls in, as ``YYYY-MM``."""
    return clock.utc(dt).strftime("%Y-%m")


def day_key(dt: datetime) -> str:
    """The calendar day (UTC) an instant falls in, as ``YYYY-MM-DD``."""
    return clock.utc(dt).strftime("%Y-%m-%d")


def month_bounds(dt: datetime) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of the calendar month holding ``dt``."""
    start = clock.utc(dt).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, add_months(start, 1)


# ---------------------------------------------------------------------------------------------- earning


def units(minor: int) -> int:
    """Whole currency units in an amount of minor units (rounded down)."""
    return max(0, minor) // MINOR_PER_UNIT


def order_points(paid_minor: int, tier: str) -> int:
    """Points an order earns: one per whole currency unit paid, times the tier's multiplier, rounded down."""
    return units(paid_minor) * TIER_MULTIPLIER_TENTHS[tier] // 10


def order_growth(paid_minor: int) -> int:
    """Growth a paid order gives: one per whole currency unit, capped per order."""
    return min(units(paid_minor), ORDER_GROWTH_CAP)


def lot_dates(earned_at: datetime, hold_days: int) -> tuple[datetime, datetime]:
    """When points earned at ``earned_at`` become available and when they expire."""
    available = clock.utc(earned_at) + timedelta(days=hold_days)
    return available, add_months(available, LOT_LIFETIME_MONTHS)


# ---------------------------------------------------------------------------------------------- ledger

LOT_KINDS = ("earn", "bonus")
DEBIT_KINDS = ("spend", "expire", "reverse", "clawback")


@dataclass(frozen=True)
class Entry:
    """One ledger entry: a lot (positive, ``lot_id`` is its own id) or a debit against a lot (negative)."""

    id: int
    kind: str
    points: int
    lot_id: int
    at: datetime
    available_at: datetime | None = None
    expires_at: datetime | None = None
    order_id: int | None = None


@dataclass
class Lot:
    """Points earned together, with what is left of them."""

    id: int
    kind: str
    points: int
    available_at: datetime
    expires_at: datetime
    order_id: int | None
    remaining: int
    spent: int = 0

    def state(self, now: datetime) -> Literal["pending", "available", "expired"]:
        """Where the lot stands at ``now`` (by its dates; expiry is lazy until the job writes it)."""
        if now >= self.expires_at:
            return "expired"
        if now < self.available_at:
            return "pending"
        return "available"


@dataclass(frozen=True)
class Debit:
    """A negative entry to write: ``points`` (positive here) taken from ``lot_id`` for ``kind``."""

    lot_id: int
    points: int
    kind: str


def build_lots(entries: Iterable[Entry]) -> dict[int, Lot]:
    """Every lot with what remains of it after the debits against it."""
    lots: dict[int, Lot] = {}
    debits: list[Entry] = []
    for e in entries:
        if e.kind in LOT_KINDS:
            assert e.available_at is not None and e.expires_at is not None
            lots[e.id] = Lot(e.id, e.kind, e.points, e.available_at, e.expires_at, e.order_id, e.points)
        else:
            debits.append(e)
    for d in debits:
        lot = lots[d.lot_id]
        lot.remaining += d.points
        if d.kind == "spend":
            lot.spent -= d.points
    return lots


def _spend_order(lot: Lot) -> tuple:
    return (lot.expires_at, lot.available_at, lot.id)


def available_balance(lots: Iterable[Lot], now: datetime) -> int:
    """Points the shopper can spend now: what remains of available, unexpired lots."""
    return sum(lot.remaining for lot in lots if lot.state(now) == "available")


def pending_balance(lots: Iterable[Lot], now: datetime) -> int:
    """Points still on hold (they become available after the hold period)."""
    return sum(lot.remaining for lot in lots if lot.state(now) == "pending")


def plan_expiry(lots: Iterable[Lot], now: datetime) -> list[Debit]:
    """Debits that write off what remains of every lot past its expiry."""
    return [
        Debit(lot.id, lot.remaining, "expire")
        for lot in sorted(lots, key=_spend_order)
        if lot.state(now) == "expired" and lot.remaining > 0
    ]


def plan_spend(lots: Iterable[Lot], points: int, now: datetime) -> list[Debit]:
    """Debits that spend ``points`` from available lots, the soonest-expiring (oldest) first, or NotEnoughPoints."""
    if points <= 0:
        raise ValueError("points to spend must be positive")
    usable = sorted((lot for lot in lots if lot.state(now) == "available" and lot.remaining > 0), key=_spend_order)
    have = sum(lot.remaining for lot in usable)
    if have < points:
        raise NotEnoughPoints(f"this needs {points} points and {have} are available")
    plan: list[Debit] = []
    left = points
    for lot in usable:
        take = min(left, lot.remaining)
        plan.append(Debit(lot.id, take, "spend"))
        left -= take
        if not left:
            break
    return plan


def plan_reversal(lots: Iterable[Lot], order_id: int, now: datetime) -> tuple[list[Debit], int]:
    """Debits that take back what a refunded order earned, and the points written off.

    The order's own lots give back what remains of them. What the shopper already spent from them is
    clawed back from their other lots, available ones first (soonest-expiring first), then pending ones;
    whatever is still missing is written off, so the balance never goes negative. Points of the order's
    lots that already expired are not clawed back (the shopper lost them anyway).
    """
    lots = list(lots)
    own = sorted((lot for lot in lots if lot.order_id == order_id), key=_spend_order)
    plan = [Debit(lot.id, lot.remaining, "reverse") for lot in own if lot.remaining > 0]
    owed = sum(lot.spent for lot in own)
    others = [lot for lot in lots if lot.order_id != order_id and lot.remaining > 0]
    for state in ("available", "pending"):
        for lot in sorted((lot for lot in others if lot.state(now) == state), key=_spend_order):
            if not owed:
                break
            take = min(owed, lot.remaining)
            plan.append(Debit(lot.id, take, "clawback"))
            owed -= take
    return plan, owed


def expiring_soon(lots: Iterable[Lot], now: datetime, within_days: int = EXPIRING_SOON_DAYS) -> list[Lot]:
    """Available lots with points left that expire within ``within_days``, soonest first."""
    horizon = now + timedelta(days=within_days)
    return sorted(
        (lot for lot in lots if lot.state(now) == "available" and lot.remaining > 0 and lot.expires_at <= horizon),
        key=_spend_order,
    )


# ---------------------------------------------------------------------------------------------- growth


def growth_allowed(kind: str, day_count: int, month_count: int) -> bool:
    """Whether one more ``kind`` event may count, given how many already counted today and this month."""
    rule = GROWTH_RULES[kind]
    if rule.per_day is not None and day_count >= rule.per_day:
        return False
    if rule.per_month is not None and month_count >= rule.per_month:
        return False
    return True


def growth_window_start(now: datetime) -> datetime:
    """The oldest instant whose growth still counts."""
    return clock.utc(now) - timedelta(days=GROWTH_WINDOW_DAYS)


# ---------------------------------------------------------------------------------------------- tiers


def tier_for_growth(growth: int) -> Tier:
    """The highest tier whose threshold ``growth`` reaches."""
    reached: Tier = "silver"
    for tier in TIERS:
        if growth >= TIER_THRESHOLDS[tier]:
            reached = tier
    return reached


def _rank(tier: str) -> int:
    return TIERS.index(tier)  # type: ignore[arg-type]


def next_tier(tier: str) -> Tier | None:
    """The tier above, or None at the top."""
    rank = _rank(tier)
    return TIERS[rank + 1] if rank + 1 < len(TIERS) else None


@dataclass(frozen=True)
class TierState:
    """A shopper's tier as stored: the tier, until when it is held, and the month of the last accelerated upgrade."""

    tier: Tier = "silver"
    held_until: datetime | None = None
    accelerated_month: str | None = None


@dataclass(frozen=True)
class TierChange:
    """A tier transition to record (retention sends a message on it)."""

    from_tier: Tier
    to_tier: Tier
    reason: Literal["growth", "accelerated", "downgrade"]


def evaluate_tier(state: TierState, growth: int, month_spend_minor: int, now: datetime) -> tuple[TierState, TierChange | None]:
    """The tier after looking at growth in the window and this month's paid spend.

    - Upgrade by growth: as soon as the window's growth reaches a higher threshold.
    - Accelerated: paid spend in the current calendar month above 2,000 units moves the shopper one tier above
      the higher of their tier and what growth supports, at once; at most once per calendar month.
    - Every upgrade holds the new tier for TIER_HOLD_DAYS.
    - Review: the first evaluation after the hold ends keeps the tier for another TIER_HOLD_DAYS when growth
      supports it; otherwise the shopper drops one tier (never more at a time) and that tier is held for
      TIER_HOLD_DAYS (a soft landing).
    """
    now = clock.utc(now)
    supported = tier_for_growth(growth)
    target = state.tier if _rank(state.tier) >= _rank(supported) else supported
    reason: Literal["growth", "accelerated", "downgrade"] | None = "growth" if target != state.tier else None
    accelerated_month = state.accelerated_month
    month = month_key(now)
    if month_spend_minor > ACCELERATED_MONTH_SPEND_MINOR and state.accelerated_month != month:
        above = next_tier(target)
        accelerated_month = month
        if above is not None:
            target, reason = above, "accelerated"
    if reason is not None:
        new = TierState(target, now + timedelta(days=TIER_HOLD_DAYS), accelerated_month)
        return new, TierChange(state.tier, target, reason)
    held = state.held_until is not None and now < state.held_until
    if held:
        return replace(state, accelerated_month=accelerated_month), None
    # The hold is over (or never started): this evaluation is the tier's review.
    renewed = now + timedelta(days=TIER_HOLD_DAYS)
    if _rank(supported) < _rank(state.tier):
        lower = TIERS[_rank(state.tier) - 1]
        return TierState(lower, renewed, accelerated_month), TierChange(state.tier, lower, "downgrade")
    return TierState(state.tier, renewed, accelerated_month), None


def tier_progress(tier: str, growth: int) -> tuple[Tier | None, int, int]:
    """The next tier, growth still needed for it, and progress towards it in per-mille (1000 at the top)."""
    above = next_tier(tier)
    if above is None:
        return None, 0, 1000
    low, high = TIER_THRESHOLDS[tier], TIER_THRESHOLDS[above]
    needed = max(0, high - growth)
    progress = max(0, min(1000, (growth - low) * 1000 // (high - low)))
    return above, needed, progress


# ---------------------------------------------------------------------------------------------- orders

OrderStatus = Literal["placed", "paid", "fulfilled", "cancelled", "refunded"]
ORDER_STATUSES: tuple[str, ...] = ("placed", "paid", "fulfilled", "cancelled", "refunded")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "placed": ("paid", "cancelled"),
    "paid": ("fulfilled", "refunded"),
    "fulfilled": ("refunded",),
    "cancelled": (),
    "refunded": (),
}
"""Allowed order status moves; cancelling is before payment, a refund after it."""


def can_move(current: str, target: str) -> bool:
    """Whether an order may move from ``current`` to ``target``."""
    return target in TRANSITIONS.get(current, ())


def restocks(current: str, target: str) -> bool:
    """Whether a move puts the order's goods back in stock (cancelled, or refunded before it was shipped)."""
    return (current, target) in (("placed", "cancelled"), ("paid", "refunded"))

