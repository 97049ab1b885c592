"""Spending growth: cash coupons and lottery draws with published odds and a daily prize budget.

Growth decides the tier over a rolling window; spending it draws on a separate balance (all growth ever earned,
net of refunds, minus what was spent), so buying a coupon never costs a shopper their tier. Every spend runs
inside the sync push's transaction: the engine's lastMutationId and UNIQUE (client_id, mutation_id) on
``growth_spends`` make a draw happen exactly once, however often the push is retried.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Callable

import msgspec

import clock

from . import gifts, ledger, rules, store, views
from .errors import BadOrderInput, NotEnoughGrowth, RewardUnavailable, UnknownReward
from .models import DrawResult, GrowthCouponItem, GrowthShop, Lottery, LotteryInput, Prize

ODDS_SCALE = 10_000
"""Odds are given in 1/10,000 (0.01 %)."""

GROWTH_COUPONS: tuple[GrowthCouponItem, ...] = (
    GrowthCouponItem(id="growth-3", name="€3 off", growth=300, value=300, currency="EUR", min_order=1_500),
    GrowthCouponItem(id="growth-5", name="€5 off", growth=450, value=500, currency="EUR", min_order=2_500),
    GrowthCouponItem(id="growth-10", name="€10 off", growth=850, value=1_000, currency="EUR", min_order=5_000),
    GrowthCouponItem(id="growth-20", name="€20 off", growth=1_600, value=2_000, currency="EUR", min_order=10_000),
)
"""The cash coupons growth buys (published at GET /api/loyalty/growth-shop)."""

DEMO_LOTTERY = LotteryInput(
    name="Lucky draw", cost=100, daily_budget=20_000, currency="EUR",
    prizes=[  # unnamed: the shop names its own prizes from their values, in each shopper's language
        Prize(id="grand", kind="coupon", odds=50, value=2_000),
        Prize(id="coupon-5", kind="coupon", odds=500, value=500),
        Prize(id="points-100", kind="points", odds=2_000, points=100),
        Prize(id="points-20", kind="points", odds=3_000, points=20),
    ],
)

Draw = Callable[[int], int]
"""draw(n) -> a uniform integer in [0, n); secrets.randbelow unless a test passes its own."""


def spendable(db: Any, user_id: int) -> int:
    """Growth the shopper can still spend (never below zero: refunds of spent growth are written off)."""
    return max(0, store.growth_total(db, user_id) - store.growth_spent(db, user_id))


def _lottery(row: dict, db: Any, now: datetime) -> Lottery:
    prizes = [msgspec.convert(p, Prize) for p in row["prizes"]]
    left = max(0, row["daily_budget"] - store.budget_spent(db, row["id"], rules.day_key(now)))
    return Lottery(id=row["id"], name=row["name"], cost=row["cost"], currency=row["currency"], prizes=prizes,
                   nothing_odds=ODDS_SCALE - sum(p.odds for p in prizes), daily_budget=row["daily_budget"],
                   budget_left_today=left, active=row["active"])


def shop(db: Any, now: datetime) -> GrowthShop:
    """What growth can buy, with the lotteries' odds and today's remaining prize budgets."""
    return GrowthShop(coupons=list(GROWTH_COUPONS),
                      lotteries=[_lottery(r, db, now) for r in store.list_lotteries(db, active_only=True)])


def lotteries(db: Any, now: datetime, active_only: bool = False) -> list[Lottery]:
    """Every lottery (operators)."""
    return [_lottery(r, db, now) for r in store.list_lotteries(db, active_only)]


def put_lottery(db: Any, lottery_id: str, data: LotteryInput, now: datetime) -> Lottery:
    """Create or replace a lottery; odds must leave room for "nothing" or fill it exactly, prize ids must differ."""
    total = sum(p.odds for p in data.prizes)
    if total > ODDS_SCALE:
        raise BadOrderInput(f"prizes: the odds add up to {total}/10,000; they may be at most 10,000")
    ids = [p.id for p in data.prizes]
    if len(set(ids)) != len(ids):
        raise BadOrderInput("prizes: every prize needs its own id")
    for prize in data.prizes:
        if prize.kind == "coupon" and (prize.value <= 0 or prize.points):
            raise BadOrderInput(f"prizes.{prize.id}: a coupon prize needs a value and no points")
        if prize.kind == "points" and (prize.points <= 0 or prize.value):
            raise BadOrderInput(f"prizes.{prize.id}: a points prize needs points and no value")
    row = msgspec.structs.asdict(data)
    row["prizes"] = [msgspec.to_builtins(p) for p in data.prizes]
    store.put_lottery(db, lottery_id, row, clock.iso(now))
    return _lottery(store.get_lottery(db, lottery_id), db, now)  # type: ignore[arg-type]


def _spend_check(db: Any, user_id: int, cost: int) -> None:
    have = spendable(db, user_id)
    if have < cost:
        raise NotEnoughGrowth(f"this needs {cost} growth and {have} can be spent")


def buy_coupon(db: Any, user_id: int, item_id: str, now: datetime, *, client_id: str | None = None,
               mutation_id: int | None = None) -> str:
    """Spend growth on a cash coupon (in the caller's transaction); its code."""
    item = next((i for i in GROWTH_COUPONS if i.id == item_id), None)
    if item is None:
        raise UnknownReward(f"no growth coupon {item_id!r}")
    _spend_check(db, user_id, item.growth)
    coupon = gifts.make_coupon(db, user_id, source="growth", item=item.id, name=item.name, value=item.value,
                               currency=item.currency, min_order=item.min_order, now=now)
    store.insert_growth_spend(db, {
        "user_id": user_id, "kind": "coupon", "item": item.id, "growth": item.growth, "client_id": client_id,
        "mutation_id": mutation_id, "prize_id": None, "prize_value": 0, "budget_spent": 0,
        "coupon_code": coupon.code, "points": 0, "at": clock.iso(now),
    })
    views.refresh_points(db, user_id, now)
    return coupon.code


def pick_prize(prizes: list[Prize], roll: int) -> Prize | None:
    """The prize a roll in [0, 10,000) lands on, in the published order; None past the last (nothing)."""
    for prize in prizes:
        if roll < prize.odds:
            return prize
        roll -= prize.odds
    return None


def prize_cost(prize: Prize) -> int:
    """What a prize takes from the daily budget: a coupon's value, or one minor unit per point."""
    return prize.value if prize.kind == "coupon" else prize.points


def draw(db: Any, user_id: int, lottery_id: str, now: datetime, *, client_id: str | None = None,
         mutation_id: int | None = None, rng: Draw = secrets.randbelow) -> DrawResult:
    """Spend growth on one draw (in the caller's transaction): the prize, or nothing.

    The roll comes from ``secrets`` (no shopper can predict or replay it). A prize the day's budget cannot pay
    becomes nothing (``budgetSpent``), so the budget is never exceeded; the odds say so where they are published.
    """
    row = store.get_lottery(db, lottery_id)
    if row is None:
        raise UnknownReward(f"no lottery {lottery_id!r}")
    if not row["active"]:
        raise RewardUnavailable(f"lottery {lottery_id!r} is closed")
    _spend_check(db, user_id, row["cost"])
    prizes = [msgspec.convert(p, Prize) for p in row["prizes"]]
    prize = pick_prize(prizes, rng(ODDS_SCALE))
    over_budget = False
    if prize is not None and not store.take_budget(db, lottery_id, rules.day_key(now), prize_cost(prize),
                                                   row["daily_budget"]):
        prize, over_budget = None, True
    code, points = None, 0
    if prize is not None and prize.kind == "coupon":
        code = gifts.make_coupon(db, user_id, source="lottery", item=f"{lottery_id}/{prize.id}", name=prize.name,
                                 value=prize.value, currency=row["currency"], min_order=0, now=now).code
    elif prize is not None:
        points = prize.points
        ledger.earn(db, user_id, "bonus", points, now, 0, None)  # won points are available at once
    spend_id = store.insert_growth_spend(db, {
        "user_id": user_id, "kind": "draw", "item": lottery_id, "growth": row["cost"], "client_id": client_id,
        "mutation_id": mutation_id, "prize_id": prize.id if prize else None,
        "prize_value": prize_cost(prize) if prize else 0, "budget_spent": int(over_budget), "coupon_code": code,
        "points": points, "at": clock.iso(now),
    })
    result = DrawResult(id=spend_id, lottery_id=lottery_id, prize_id=prize.id if prize else None,
                        prize_name=prize.name if prize else None, kind=prize.kind if prize else "none",
                        growth=row["cost"], at=clock.iso(now), coupon_code=code, points=points,
                        value=prize.value if prize else 0, budget_spent=over_budget, currency=row["currency"])
    views.put_draw(db, user_id, result)
    views.refresh_points(db, user_id, now)
    return result
