"""Operator loyalty routes: order status changes (payment webhooks move orders) and the points mall's rewards."""

from __future__ import annotations

from typing import Annotated

import msgspec

from litestar import Request, delete, get, patch, post, put
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from loyalty import service
from operators.roles import Permission
from loyalty.models import (
    Lottery,
    LotteryInput,
    Order,
    Reward,
    RewardInput,
    RewardList,
    RewardPatch,
    StatusChange,
)
from server.api.admin import AdminController
from server.api.loyalty import RewardIdPath
from server.db import Database
from server.http.api_description import problems
from server.http.params import Id
from server.http.reveal import ReasonParam, RevealParam, masked_address, reveal_for
from server.http.roles import PERMISSION
from server.settings import Settings

LotteryIdPath = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]


def _masked(order: Order) -> Order:
    """The order with its delivery address masked (personal data: operators reveal it with a reason)."""
    return msgspec.structs.replace(order, address=masked_address(order.address))


class AdminLoyaltyController(AdminController):
    """`/api/admin/...` orders (the orders permission) and rewards (rewards); payment webhooks move orders."""

    path = "/api/admin"
    opt = {PERMISSION: Permission.REWARDS}
    cache_control = CacheControlHeader(no_store=True)

    @post("/orders/{order_id:int}/status", status_code=200, sync_to_thread=True, opt={PERMISSION: Permission.ORDERS},
          summary="Change an order's status", responses=problems(400, 401, 403, 404, 409, 413))
    def set_status(
        self, request: Request, order_id: Id, data: JSONBody[StatusChange], database: NamedDependency[Database],
        settings: NamedDependency[Settings],
    ) -> Order:
        """Move an order: placed → paid → fulfilled (shipped), or → cancelled (before payment) / refunded (after);
        cash on delivery: placed → fulfilled (shipped unpaid, paid on delivery) → cancelled (refused) / refunded;
        else 409. The shopper's devices hear of it (sync, push)."""
        return _masked(service.set_order_status(database, order_id, data.status, settings.points_hold_days,
                                                listeners=request.app.state.hooks.order_listeners))

    @post("/orders/{order_id:int}/delivered", status_code=200, sync_to_thread=True, opt={PERMISSION: Permission.ORDERS},
          summary="Confirm an order's delivery", responses=problems(400, 401, 403, 404, 409))
    def delivered(self, request: Request, order_id: Id, database: NamedDependency[Database],
                  settings: NamedDependency[Settings]) -> Order:
        """The carrier confirmed delivery of a fulfilled order (once; anything not fulfilled → 409); a cash-on-delivery
        order is paid then. The shopper's devices hear of it (sync, push)."""
        return _masked(service.mark_delivered(database, order_id, hold_days=settings.points_hold_days,
                                              listeners=request.app.state.hooks.order_listeners))

    @get("/orders/{order_id:int}", sync_to_thread=True, opt={PERMISSION: Permission.ORDERS}, summary="Any order",
         responses=problems(400, 401, 403, 404))
    def get_order(self, request: Request, order_id: Id, database: NamedDependency[Database],
                  reveal: RevealParam = False, reason: ReasonParam = None) -> Order:
        """Any order; its delivery address masked unless revealed with a reason (owner and support; audited)."""
        revealed = reveal_for(request, reveal, reason) is not None
        order = service.get_order(database, order_id)
        return order if revealed else _masked(order)

    @get("/rewards", sync_to_thread=True, summary="Every reward", responses=problems(401, 403))
    def list_rewards(self, database: NamedDependency[Database]) -> RewardList:
        """Every reward, withdrawn ones too."""
        return RewardList(items=service.rewards(database, active_only=False))

    @post("/rewards", status_code=201, sync_to_thread=True, summary="Add a reward", responses=problems(400, 401, 403, 409, 413, 422))
    def create_reward(self, data: JSONBody[RewardInput], database: NamedDependency[Database]) -> Reward:
        """Add a reward (a coupon worth `value` off in `currency`, or a free unit of product `sku`)."""
        return service.create_reward(database, data)

    @patch("/rewards/{reward_id:str}", sync_to_thread=True, summary="Change a reward",
           responses=problems(400, 401, 403, 404, 413, 422))
    def update_reward(self, reward_id: RewardIdPath, data: JSONBody[RewardPatch],
                      database: NamedDependency[Database]) -> Reward:
        """Change a reward's name, cost, stock, value or whether it is offered."""
        return service.update_reward(database, reward_id, data)

    @delete("/rewards/{reward_id:str}", status_code=204, sync_to_thread=True, summary="Delete a reward",
            responses=problems(400, 401, 403, 404, 409))
    def delete_reward(self, reward_id: RewardIdPath, database: NamedDependency[Database]) -> None:
        """Delete a reward nobody redeemed (409 once redeemed: withdraw it with `active: false`)."""
        service.delete_reward(database, reward_id)

    @get("/lotteries", sync_to_thread=True, summary="Every lottery", responses=problems(401, 403))
    def list_lotteries(self, database: NamedDependency[Database]) -> list[Lottery]:
        """Every lottery with its odds and what today's prize budget has left."""
        return service.lotteries(database)

    @put("/lotteries/{lottery_id:str}", sync_to_thread=True, summary="Create or replace a lottery",
         responses=problems(400, 401, 403, 413, 422))
    def put_lottery(self, lottery_id: LotteryIdPath, data: JSONBody[LotteryInput],
                    database: NamedDependency[Database]) -> Lottery:
        """Create or replace a lottery: cost in growth, prizes with odds (per 10,000), daily prize budget."""
        return service.put_lottery(database, lottery_id, data)
