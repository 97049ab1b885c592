"""Operator loyalty routes: order status changes (payment webhooks move orders) and the points mall's rewards."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
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
from server.api.loyalty import RewardIdPath
from server.db import Database
from server.http.params import Id
from server.http.roles import PERMISSION, role_guard
from server.settings import Settings

LotteryIdPath = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]


class AdminLoyaltyController(Controller):
    """`/api/admin/...` orders (the orders permission) and rewards (rewards); payment webhooks move orders."""

    path = "/api/admin"
    guards = [role_guard]
    opt = {PERMISSION: Permission.REWARDS}
    tags = ["admin"]
    cache_control = CacheControlHeader(no_store=True)

    @post("/orders/{order_id:int}/status", status_code=200, sync_to_thread=True, opt={PERMISSION: Permission.ORDERS})
    def set_status(
        self, order_id: Id, data: JSONBody[StatusChange], database: NamedDependency[Database], settings: NamedDependency[Settings]
    ) -> Order:
        """Move an order: placed → paid → fulfilled, or → cancelled (before payment) / refunded (after); else 409."""
        return service.set_order_status(database, order_id, data.status, settings.points_hold_days)

    @get("/orders/{order_id:int}", sync_to_thread=True, opt={PERMISSION: Permission.ORDERS})
    def get_order(self, order_id: Id, database: NamedDependency[Database]) -> Order:
        """Any order."""
        return service.get_order(database, order_id)

    @get("/rewards", sync_to_thread=True)
    def list_rewards(self, database: NamedDependency[Database]) -> RewardList:
        """Every reward, withdrawn ones too."""
        return RewardList(items=service.rewards(database, active_only=False))

    @post("/rewards", status_code=201, sync_to_thread=True)
    def create_reward(self, data: JSONBody[RewardInput], database: NamedDependency[Database]) -> Reward:
        """Add a reward (a coupon worth `value` off in `currency`, or a free unit of product `sku`)."""
        return service.create_reward(database, data)

    @patch("/rewards/{reward_id:str}", sync_to_thread=True)
    def update_reward(self, reward_id: RewardIdPath, data: JSONBody[RewardPatch],
                      database: NamedDependency[Database]) -> Reward:
        """Change a reward's name, cost, stock, value or whether it is offered."""
        return service.update_reward(database, reward_id, data)

    @delete("/rewards/{reward_id:str}", status_code=204, sync_to_thread=True)
    def delete_reward(self, reward_id: RewardIdPath, database: NamedDependency[Database]) -> None:
        """Delete a reward nobody redeemed (409 once redeemed: withdraw it with `active: false`)."""
        service.delete_reward(database, reward_id)

    @get("/lotteries", sync_to_thread=True)
    def list_lotteries(self, database: NamedDependency[Database]) -> list[Lottery]:
        """Every lottery with its odds and what today's prize budget has left."""
        return service.lotteries(database)

    @put("/lotteries/{lottery_id:str}", sync_to_thread=True)
    def put_lottery(self, lottery_id: LotteryIdPath, data: JSONBody[LotteryInput],
                    database: NamedDependency[Database]) -> Lottery:
        """Create or replace a lottery: cost in growth, prizes with odds (per 10,000), daily prize budget."""
        return service.put_lottery(database, lottery_id, data)
