"""The sync mutation ``points.redeem {rewardId}``: redeem a points-mall reward from a (possibly offline) queue.

Applied exactly once by the sync engine (lastMutationId, and UNIQUE(client_id, mutation_id) on redemptions);
a refusal is a permanent error the engine records as ``errors/{id}`` in the client's view.
"""

from __future__ import annotations

from clock import from_ms
from sync.errors import PermanentError
from sync.mutators import MutationContext, register

from . import mall, store
from .errors import NotEnoughPoints, RewardUnavailable, UnknownReward
from .models import RedeemArgs

REFUSALS: dict[type[Exception], str] = {
    UnknownReward: "unknown-reward",
    RewardUnavailable: "reward-unavailable",
    NotEnoughPoints: "not-enough-points",
}


@register("points.redeem", RedeemArgs)
def redeem(ctx: MutationContext, args: RedeemArgs) -> None:
    """Spend points on a reward inside the push transaction (never below zero, never oversold)."""
    if store.redemption_by_mutation(ctx.db, ctx.client_id, ctx.mutation_id) is not None:
        return  # already applied (belt and braces behind the engine's lastMutationId)
    now = from_ms(ctx.now)
    try:
        mall.redeem(ctx.db, ctx.user_id, args.reward_id, now, client_id=ctx.client_id, mutation_id=ctx.mutation_id)
    except tuple(REFUSALS) as exc:
        raise PermanentError(REFUSALS[type(exc)], str(exc)) from None
