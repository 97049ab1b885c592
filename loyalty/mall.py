"""The points mall: rewards with a points cost and stock, and redeeming them for coupons."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import msgspec

import clock
from catalog import store as catalog_store
from sync import store as sync_store

from . import ledger, rules, store, tiers, views
from .errors import BadReward, DuplicateReward, NotEnoughPoints, RewardUnavailable, TierTooLow, UnknownReward
from .models import Coupon, Reward, RewardInput, RewardPatch


def to_reward(row: dict) -> Reward:
    """The wire form of a reward row."""
    return Reward(
        id=row["id"], name=row["name"], kind=row["kind"], points_cost=row["points_cost"], stock=row["stock"],
        active=bool(row["active"]), value=row["value"], currency=row["currency"], sku=row["sku"],
        category=row["category"], min_tier=row["min_tier"], gold_cost=row["gold_cost"],
        diamond_cost=row["diamond_cost"],
    )


def _check_tier_prices(points_cost: int, gold_cost: int | None, diamond_cost: int | None) -> None:
    """A higher tier never pays more than the one below it."""
    if gold_cost is not None and gold_cost > points_cost:
        raise BadReward("gold-above-points", "goldCost must not be above pointsCost (a higher tier never pays more)",
                        gold=gold_cost, points=points_cost)
    ceiling = gold_cost if gold_cost is not None else points_cost
    if diamond_cost is not None and diamond_cost > ceiling:
        raise BadReward("diamond-above-gold",
                        "diamondCost must not be above goldCost (or pointsCost) (a higher tier never pays more)",
                        diamond=diamond_cost, ceiling=ceiling)


def to_coupon(row: dict) -> Coupon:
    """The wire form of a redemption joined with its reward (``store.coupon``)."""
    return Coupon(
        code=row["code"], reward_id=row["reward_id"], name=row["name"], kind=row["kind"], value=row["value"],
        currency=row["currency"], sku=row["sku"], redeemed_at=row["at"], used_order_id=row["used_order_id"],
    )


def rewards(db: Any, active_only: bool = True, category: str | None = None) -> list[Reward]:
    """The mall's rewards, cheapest first (of one category when given)."""
    return [to_reward(r) for r in store.list_rewards(db, active_only, category)]


def get_reward(db: Any, reward_id: str) -> Reward:
    """One reward, or UnknownReward."""
    row = store.get_reward(db, reward_id)
    if row is None:
        raise UnknownReward(f"no reward {reward_id!r}")
    return to_reward(row)


def create_reward(db: Any, data: RewardInput, now: datetime) -> Reward:
    """A new reward: a coupon needs a value and currency; a product reward needs a SKU the catalog has."""
    if data.kind == "coupon" and (data.value <= 0 or data.currency is None or data.sku is not None):
        raise BadReward("coupon-needs-value", "a coupon reward needs a positive value and a currency, and no sku")
    if data.kind == "product":
        if data.sku is None or data.value or data.currency is not None:
            raise BadReward("product-needs-sku", "a product reward needs a sku, and no value or currency")
        if catalog_store.get_product(db, data.sku) is None:
            raise BadReward("unknown-product", f"no product {data.sku!r} in the catalog", sku=data.sku)
    _check_tier_prices(data.points_cost, data.gold_cost, data.diamond_cost)
    if not store.insert_reward(db, msgspec.structs.asdict(data), clock.iso(now)):
        raise DuplicateReward(f"a reward {data.id!r} exists already")
    return get_reward(db, data.id)


def update_reward(db: Any, reward_id: str, patch: RewardPatch, now: datetime) -> Reward:
    """Change some fields of a reward (stock, cost, name, value, active)."""
    changes = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not None}
    store.lock_reward(db, reward_id)  # checked against the reward as it is: a patch committing meanwhile goes first
    current = get_reward(db, reward_id)
    if "value" in changes and current.kind == "coupon" and changes["value"] <= 0:
        raise BadReward("coupon-value", "a coupon reward needs a positive value")
    if "value" in changes and current.kind == "product" and changes["value"]:
        raise BadReward("product-no-value", "a product reward has no value")
    _check_tier_prices(changes.get("points_cost", current.points_cost), changes.get("gold_cost", current.gold_cost),
                       changes.get("diamond_cost", current.diamond_cost))
    if changes:
        store.update_reward(db, reward_id, changes, clock.iso(now))
    return get_reward(db, reward_id)


def delete_reward(db: Any, reward_id: str) -> None:
    """Delete a reward nobody redeemed; one with redemptions is withdrawn instead (``active: false``)."""
    get_reward(db, reward_id)
    if not store.delete_reward(db, reward_id):  # conditional: never one with redemptions, whoever redeems meanwhile
        get_reward(db, reward_id)  # deleted meanwhile by another operator (its row was locked): UnknownReward
        raise RewardUnavailable(f"reward {reward_id!r} was redeemed, so it stays on record: withdraw it (active: false)")


def redeem(db: Any, user_id: int, reward_id: str, now: datetime, *, client_id: str | None = None,
           mutation_id: int | None = None) -> Coupon:
    """Spend points on a reward, in the caller's transaction: the coupon made, or an error with nothing spent.

    Balance and stock are checked and taken inside the same transaction, so concurrent redemptions can
    neither overdraw the balance nor oversell the reward.
    """
    sync_store.lock_shopper(db, user_id)  # the balance is read, then spent
    reward = store.get_reward(db, reward_id)
    if reward is None:
        raise UnknownReward(f"no reward {reward_id!r}")
    if not reward["active"] or reward["stock"] <= 0:
        raise RewardUnavailable(f"reward {reward_id!r} is sold out or withdrawn")
    tier = tiers.current(db, user_id, now)[0].tier
    if rules.tier_rank(tier) < rules.tier_rank(reward["min_tier"]):
        raise TierTooLow(f"reward {reward_id!r} is for {reward['min_tier']} members and above")
    cost = rules.reward_cost(reward["points_cost"], reward["gold_cost"], reward["diamond_cost"], tier)
    ledger.settle(db, user_id, now)
    balance, _, _ = ledger.balances(db, user_id, now)
    if balance < cost:
        raise NotEnoughPoints(f"this reward needs {cost} points and {balance} are available")
    if not store.take_reward_stock(db, reward_id):
        raise RewardUnavailable(f"reward {reward_id!r} is sold out")
    code = "PM-" + secrets.token_hex(5).upper()
    redemption_id = store.insert_redemption(db, {
        "user_id": user_id, "reward_id": reward_id, "points": cost, "code": code,
        "client_id": client_id, "mutation_id": mutation_id, "at": clock.iso(now),
    })
    ledger.spend(db, user_id, cost, now, redemption_id)
    row = store.coupon(db, user_id, code)
    assert row is not None
    made = to_coupon(row)
    views.put_coupon(db, user_id, made)
    views.refresh_points(db, user_id, now)
    return made


def refresh_coupon(db: Any, user_id: int, code: str) -> None:
    """Bring a ``coupons/{code}`` row up to date (after it was used or given back)."""
    row = store.coupon(db, user_id, code)
    if row is not None:
        views.put_coupon(db, user_id, to_coupon(row))
