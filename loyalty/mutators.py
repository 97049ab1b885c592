"""The loyalty sync mutations: ``points.redeem {rewardId}`` (a points-mall reward), ``growth.coupon {itemId}`` and
``growth.draw {lotteryId}`` (spending growth), ``badges.seen {badge}``, ``returns.request {orderId, skus}``; each
from a (possibly offline) queue.

Applied exactly once by the sync engine (lastMutationId, and UNIQUE(client_id, mutation_id) on redemptions);
a refusal is a permanent error the engine records as ``errors/{id}`` in the client's view.
"""

from __future__ import annotations

from typing import Callable

from clock import from_ms
from sync.errors import PermanentError
from sync.mutators import MutationContext, Mutator

from . import badges, growth_shop, mall, returns, store
from .errors import NotEnoughGrowth, NotEnoughPoints, RewardUnavailable, TierTooLow, UnknownReward
from .models import BadgeSeenArgs, DrawArgs, GrowthCouponArgs, RedeemArgs
from .return_models import ReturnRequestArgs

REFUSALS: dict[type[Exception], str] = {
    UnknownReward: "unknown-reward",
    RewardUnavailable: "reward-unavailable",
    NotEnoughPoints: "not-enough-points",
    TierTooLow: "tier-too-low",
}


def redeem(ctx: MutationContext, args: RedeemArgs) -> None:
    """Spend points on a reward inside the push transaction (never below zero, never oversold)."""
    if store.redemption_by_mutation(ctx.db, ctx.client_id, ctx.mutation_id) is not None:
        return  # already applied (belt and braces behind the engine's lastMutationId)
    now = from_ms(ctx.now)
    try:
        mall.redeem(ctx.db, ctx.user_id, args.reward_id, now, client_id=ctx.client_id, mutation_id=ctx.mutation_id)
    except tuple(REFUSALS) as exc:
        raise PermanentError(REFUSALS[type(exc)], str(exc)) from None


GROWTH_REFUSALS: dict[type[Exception], str] = {
    UnknownReward: "unknown-item",
    RewardUnavailable: "item-unavailable",
    NotEnoughGrowth: "not-enough-growth",
}


def _spend_growth(ctx: MutationContext, spend: Callable[..., object], target: str) -> None:
    """One growth spend (``spend(db, user, target, now, client_id=, mutation_id=)``) inside the push transaction,
    applied exactly once however often the push is retried; a refusal is a permanent error."""
    if store.growth_spend_by_mutation(ctx.db, ctx.client_id, ctx.mutation_id) is not None:
        return
    try:
        spend(ctx.db, ctx.user_id, target, from_ms(ctx.now), client_id=ctx.client_id, mutation_id=ctx.mutation_id)
    except tuple(GROWTH_REFUSALS) as exc:
        raise PermanentError(GROWTH_REFUSALS[type(exc)], str(exc)) from None


def buy_growth_coupon(ctx: MutationContext, args: GrowthCouponArgs) -> None:
    """Spend growth on a cash coupon."""
    _spend_growth(ctx, growth_shop.buy_coupon, args.item_id)


def lottery_draw(ctx: MutationContext, args: DrawArgs) -> None:
    """One lottery draw."""
    _spend_growth(ctx, growth_shop.draw, args.lottery_id)


def badge_seen(ctx: MutationContext, args: BadgeSeenArgs) -> None:
    """A device announced a badge; the others will not (an unknown or foreign badge changes nothing)."""
    badges.mark_seen(ctx.db, ctx.user_id, args.badge, from_ms(ctx.now))


def request_return(ctx: MutationContext, args: ReturnRequestArgs) -> None:
    """Ask for a return inside the push transaction (once per mutation); a refusal (ReturnRefused, a permanent
    error) changes nothing."""
    returns.request(ctx.db, ctx.user_id, args, from_ms(ctx.now), client_id=ctx.client_id, mutation_id=ctx.mutation_id)


MUTATORS: tuple[Mutator, ...] = (
    Mutator("points.redeem", RedeemArgs, redeem),
    Mutator("growth.coupon", GrowthCouponArgs, buy_growth_coupon),
    Mutator("growth.draw", DrawArgs, lottery_draw),
    Mutator("badges.seen", BadgeSeenArgs, badge_seen),
    Mutator("returns.request", ReturnRequestArgs, request_return),
)
"""The loyalty room's sync mutations (server/wiring.py installs them in the engine's table)."""
