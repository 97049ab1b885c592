"""Demo data of the loyalty room: a points mall of a few hundred rewards, and shoppers' order histories.

Histories go through the real ledger and tier functions (lots, first-order bonus, growth, tier evaluation at
each payment), so the demo shows what the rules would have made; only checkout is skipped (no cart, no stock
taken), since a history is not a sale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import msgspec

import clock
from catalog import store as catalog_store
from catalog.demo import CATEGORIES as DEMO_CATEGORIES
from catalog.demo import DEMO_CURRENCIES

from . import badges, growth_shop, ledger, mall, return_rules, return_views, rules, store, views
from .models import OrderSummary, Reward
from .timeline import timeline

DEMO_REWARDS_SEED = 15
REWARD_CATEGORIES = tuple(sorted(DEMO_CATEGORIES))  # coupons for the categories the demo catalog has
COUPON_VALUES_EUR = (2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60)
POINTS_PER_EUR = 90  # a coupon costs a little less than 100 points per euro: about 1 % back on spend


def demo_rewards(products: list[dict], seed: int = DEMO_REWARDS_SEED, currency: str = "EUR",
                 factor: int = 1) -> list[dict]:
    """Reward rows for the demo mall: per category, coupons at every value in three kinds (open to all,
    tier-priced, diamond-only), plus a free-unit reward for each product in stock. ``factor`` scales coupon
    values from euros to the demo's currency (points stay what a euro's worth costs)."""
    rng = random.Random(seed)
    rows: list[dict] = []
    sign = {"EUR": "€", "CNY": "¥"}.get(currency, f"{currency} ")
    for category in REWARD_CATEGORIES:
        for value in COUPON_VALUES_EUR:
            cost = value * POINTS_PER_EUR
            base = {"kind": "coupon", "value": value * 100 * factor, "currency": currency, "category": category,
                    "active": True}
            rows.append({**base, "id": f"{category}-{value}-off", "name": f"{sign}{value * factor} off {category}",
                         "points_cost": cost, "stock": rng.choice([50, 200, 1000])})
            rows.append({**base, "id": f"{category}-{value}-members",
                         "name": f"{sign}{value * factor} off {category}, member price",
                         "points_cost": cost, "gold_cost": cost * 85 // 100, "diamond_cost": cost * 70 // 100,
                         "stock": rng.choice([100, 500])})
            rows.append({**base, "id": f"{category}-{value}-diamond",
                         "name": f"{sign}{value * factor} off {category}, diamond lounge",
                         "points_cost": cost * 80 // 100, "min_tier": "diamond" if value >= 20 else "gold",
                         "stock": rng.choice([20, 60])})
    for product in products:
        if product["stock"] <= 0:
            continue
        cost = max(100, product["price"] * POINTS_PER_EUR // 100 // factor)
        exclusive = rng.random() < 0.2
        rows.append({
            "id": f"free-{product['id'].lower()}"[:48], "name": f"Free {product['name']}", "kind": "product",
            "points_cost": cost, "stock": min(product["stock"], 25), "sku": product["id"], "value": 0,
            "currency": None, "category": product["category"] if product["category"] in REWARD_CATEGORIES else "general",
            "min_tier": "gold" if exclusive else None, "gold_cost": None if exclusive else cost * 9 // 10,
            "diamond_cost": None, "active": True,
        })
    return rows


DEMO_LOTTERY_ID = "lucky-draw"


def seed_rewards(database: Any, now: datetime | None = None, currency: str = "EUR") -> int:
    """Fill the mall with the demo rewards that are not there yet, and open the demo lottery; rewards added."""
    now = now or datetime.now(timezone.utc)
    with database.write() as db:
        products = [catalog_store.get_product(db, p["id"]) for p in catalog_store.all_products(db)]
        factor = DEMO_CURRENCIES.get(currency, 1)
        if store.get_lottery(db, DEMO_LOTTERY_ID) is None:
            lottery = growth_shop.DEMO_LOTTERY
            growth_shop.put_lottery(db, DEMO_LOTTERY_ID, msgspec.structs.replace(
                lottery, currency=currency, daily_budget=lottery.daily_budget * factor,
                prizes=[msgspec.structs.replace(p, value=p.value * factor) for p in lottery.prizes]), now)
        return store.insert_rewards(db, demo_rewards([p for p in products if p], currency=currency, factor=factor),
                                    clock.iso(now))


@dataclass(frozen=True)
class DemoLine:
    """One product in a demo order."""

    sku: str
    name: str
    qty: int
    unit_price: int


@dataclass(frozen=True)
class DemoOrder:
    """An order of a shopper's made-up history: when it was placed, what it held, how it ended."""

    placed_at: datetime
    lines: tuple[DemoLine, ...]
    status: str = "fulfilled"  # placed, paid, fulfilled, cancelled or refunded
    discount: int = 0
    code: str | None = None
    offer_id: str | None = None
    currency: str = "EUR"


@dataclass
class SeededOrder:
    """What seeding one demo order made (retention links its coupons to the order ids)."""

    order_id: int
    order: DemoOrder
    total: int = field(default=0)


def seed_history(db: Any, user_id: int, history: list[DemoOrder], now: datetime, hold_days: int = 7) -> list[SeededOrder]:
    """Write a shopper's orders oldest first, as the life cycle would have left them: paid a little after placing,
    fulfilled two days on, refunded a week after that; points, first-order bonus and growth from the pure rules,
    the tier evaluated at each payment and refund; then the synced ``points`` and ``orders/{id}`` rows.

    In the caller's transaction, with a handful of statements per order (thousands of shoppers in seconds).
    """
    state = rules.TierState()
    growth: list[tuple[datetime, int]] = []
    spend: dict[int, tuple[datetime, int]] = {}  # order id -> (paid at, total) of paid, unrefunded orders
    bonus_given = False
    made: list[SeededOrder] = []
    changes: list[tuple[rules.TierChange, datetime]] = []

    def evaluate(at: datetime) -> None:
        nonlocal state
        window = rules.growth_window_start(at)
        month_start, month_end = rules.month_bounds(at)
        value = max(0, sum(amount for t, amount in growth if window <= t <= at))
        month = sum(total for t, total in spend.values() if month_start <= t < month_end and t <= at)
        state, change = rules.evaluate_tier(state, value, month, at)
        if change is not None:
            changes.append((change, at))

    for item in sorted(history, key=lambda o: o.placed_at):
        subtotal = sum(line.qty * line.unit_price for line in item.lines)
        discount = min(item.discount, subtotal)
        total = subtotal - discount
        paid_at = min(now, item.placed_at + timedelta(minutes=20))
        stamps = {"paid": None, "fulfilled": None, "delivered": None, "cancelled": None, "refunded": None}
        if item.status == "cancelled":
            stamps["cancelled"] = min(now, item.placed_at + timedelta(hours=3))
        elif item.status != "placed":
            stamps["paid"] = paid_at
            if item.status in ("fulfilled", "refunded"):
                stamps["fulfilled"] = min(now, paid_at + timedelta(days=2))
                # The carrier confirms a day after shipping; a parcel shipped less than a day ago is on its way.
                arrived = stamps["fulfilled"] + timedelta(days=1)
                stamps["delivered"] = arrived if arrived <= now else None
            if item.status == "refunded":
                stamps["refunded"] = min(now, paid_at + timedelta(days=11))
        updated = max([item.placed_at] + [t for t in stamps.values() if t is not None])
        order_id = store.insert_history_order(db, {
            "user_id": user_id, "status": item.status, "currency": item.currency, "subtotal": subtotal,
            "discount": discount, "total": total, "code": item.code, "offer_id": item.offer_id,
            "discount_source": "offer" if item.offer_id else None, "created_at": clock.iso(item.placed_at),
            "updated_at": clock.iso(updated), **{f"{k}_at": clock.iso(v) if v else None for k, v in stamps.items()},
        })
        store.insert_order_lines(db, order_id, [
            {"sku": line.sku, "name": line.name, "qty": line.qty, "unit_price": line.unit_price,
             "line_total": line.qty * line.unit_price} for line in item.lines])
        delivered = stamps["delivered"]
        if item.status == "fulfilled" and delivered and return_rules.window_open(delivered, now):
            return_views.put_returnable(db, store.get_order(db, order_id))  # "Return" shows, as after a delivery
        earned = reversed_ = 0
        if stamps["paid"] is not None:
            evaluate(paid_at)  # the tier before this order sets the multiplier
            earned = rules.order_points(total, state.tier)
            lots = [("earn", earned)] if earned else []
            if total > 0 and not bonus_given and item.status != "refunded":
                # A refunded first order would hand its bonus on to the next paid one: the same end state.
                lots.append(("bonus", rules.FIRST_ORDER_BONUS))
                bonus_given = True
                earned += rules.FIRST_ORDER_BONUS
            available, expires = rules.lot_dates(paid_at, hold_days)
            lot_ids = [(store.insert_lot(db, user_id, kind, points, clock.iso(paid_at), clock.iso(available),
                                         clock.iso(expires), order_id), points) for kind, points in lots]
            gained = rules.order_growth(total)
            if gained:
                store.insert_growth(db, user_id, "order", gained, str(order_id), rules.day_key(paid_at),
                                    rules.month_key(paid_at), clock.iso(paid_at))
                growth.append((paid_at, gained))
            spend[order_id] = (paid_at, total)
            evaluate(paid_at)
            refunded_at = stamps["refunded"]
            if refunded_at is not None:
                for lot_id, points in lot_ids:
                    store.insert_debit(db, user_id, "reverse", points, lot_id, clock.iso(refunded_at), order_id=order_id)
                    reversed_ += points
                if gained:
                    store.insert_growth(db, user_id, "order_refund", -gained, str(order_id), rules.day_key(paid_at),
                                        rules.month_key(paid_at), clock.iso(paid_at))
                    growth.append((paid_at, -gained))
                del spend[order_id]
                evaluate(refunded_at)
        if earned or reversed_:
            store.set_order_points(db, order_id, earned=earned, reversed_=reversed_)
        views.put_order(db, user_id, OrderSummary(
            id=order_id, status=item.status, currency=item.currency, total=total,
            items=sum(line.qty for line in item.lines), created_at=clock.iso(item.placed_at),
            updated_at=clock.iso(updated), points_earned=earned,
            timeline=timeline({"created_at": clock.iso(item.placed_at),
                               **{f"{k}_at": clock.iso(v) if v else None for k, v in stamps.items()}})))
        made.append(SeededOrder(order_id=order_id, order=item, total=total))
    first_paid = min((o.placed_at for o in history if o.status not in ("placed", "cancelled")), default=None)
    if first_paid is not None:
        badges.award(db, user_id, "first-order", min(now, first_paid + timedelta(minutes=20)))
    evaluate(now)
    store.put_tier(db, user_id, state.tier, clock.iso(state.held_until) if state.held_until else None,
                   state.accelerated_month, clock.iso(now))
    for change, at in changes:
        store.insert_tier_change(db, user_id, change.from_tier, change.to_tier, change.reason, clock.iso(at))
    views.refresh_points(db, user_id, now)
    return made


def count_rewards(database: Any) -> int:
    """How many rewards the mall holds."""
    return store.count_rewards(database.read())




def demo_mall(database: Any) -> dict[str, Reward]:
    """The coupons demo shoppers spend points on: those with units to spare, so the demo sells out nothing."""
    return {r.id: r for r in mall.rewards(database.read()) if r.kind == "coupon" and r.stock >= 100}


def seed_points_life(db: Any, user_id: int, redeem_at: list[datetime], rewards: dict[str, Reward],
                     rng: random.Random, now: datetime) -> tuple[int, int]:
    """What a shopper's points went through after their orders, in time order: points-mall coupons redeemed at
    ``redeem_at`` (one of ``rewards`` they could afford then, through the mall), and every lot that ran out
    written off at its expiry (the hourly job's ``ledger.settle``); (coupons redeemed, points expired). In the
    caller's transaction, after ``seed_history``; a redeemed reward's stock is counted down in ``rewards``."""
    events = [(lot.expires_at, "expire") for lot in ledger.lots(db, user_id).values() if lot.expires_at <= now]
    events += [(at, "redeem") for at in redeem_at if at < now]
    redeemed = expired = 0
    for at, kind in sorted(events):
        if kind == "expire":
            expired += ledger.settle(db, user_id, at)
            continue
        balance, _, _ = ledger.balances(db, user_id, at)
        # Coupons open to every tier at no more than their silver price: the mall charges the tier's own price.
        affordable = [r for r in rewards.values() if r.stock > 1 and r.min_tier is None and r.points_cost <= balance]
        if affordable:
            reward = rng.choice(affordable)
            mall.redeem(db, user_id, reward.id, at)
            rewards[reward.id] = msgspec.structs.replace(reward, stock=reward.stock - 1)
            redeemed += 1
    if events:
        views.refresh_points(db, user_id, now)
    return redeemed, expired
