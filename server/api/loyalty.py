"""Loyalty HTTP routes: checkout and orders, points and growth, the points mall; thin calls into loyalty.service."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter, PathParameter

from accounts.models import CurrentUser
from loyalty import service
from loyalty.models import (
    Coupon,
    GrowthInput,
    GrowthResult,
    GrowthShop,
    Order,
    OrderList,
    PointsView,
    RewardList,
)
from server.db import Database
from server.http.body import read_body
from server.http.conditional import cacheable
from server.http.params import MAX_ID, Id
from server.settings import Settings

RewardIdPath = Annotated[str, PathParameter(max_length=48)]


class OrdersController(Controller):
    """`/api/orders`: checkout of the synced cart, and the shopper's orders."""

    path = "/api/orders"
    tags = ["orders"]
    cache_control = CacheControlHeader(no_store=True)

    @post("/", status_code=201, response_model=Order, request_max_body_size=None)  # type: ignore[call-overload]
    async def place(
        self, request: Request, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database],
        settings: NamedDependency[Settings],
    ) -> Response[Order]:
        """Check out the synced cart; the same `Idempotency-Key` replays the first response, a different body → 422."""
        body = await read_body(request, 4096)
        key = request.headers.get("idempotency-key")
        providers = request.app.state.hooks.discount_providers
        result = await to_thread.run_sync(
            lambda: service.place_order(database, current_user.user_id, key, body, discount_providers=providers)
        )
        headers = {"Cache-Control": "no-store"}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(content=result.body, status_code=result.status, media_type="application/json", headers=headers)

    @get("/", sync_to_thread=True)
    def list_orders(
        self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database],
        cursor: Annotated[int | None, Parameter(ge=1, le=MAX_ID)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> OrderList:
        """The shopper's orders, newest first; `nextCursor` continues the list."""
        return service.list_orders(database, current_user.user_id, cursor, limit)

    @get("/{order_id:int}", sync_to_thread=True)
    def get_order(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database], order_id: Id) -> Order:
        """One of the shopper's orders (anyone else's answers 404)."""
        return service.get_order(database, order_id, current_user.user_id)


class LoyaltyController(Controller):
    """`/api/loyalty/...`: the shopper's points and tier, coupons, check-in, reviews and shares."""

    path = "/api/loyalty"
    tags = ["loyalty"]
    cache_control = CacheControlHeader(no_store=True)

    @get("/points", sync_to_thread=True)
    def points(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> PointsView:
        """Balance, pending points, tier, growth, progress and lots expiring soon (as of now)."""
        return service.points(database, current_user.user_id)

    @get("/coupons", sync_to_thread=True)
    def coupons(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> list[Coupon]:
        """Coupons redeemed from the points mall, newest first."""
        return service.coupons(database, current_user.user_id)

    @get("/growth-shop", sync_to_thread=True)
    def growth_shop(self, database: NamedDependency[Database]) -> GrowthShop:
        """What growth buys (sync mutations `growth.coupon`, `growth.draw`): cash coupons, lotteries and their odds."""
        return service.growth_shop_view(database)

    @post("/checkin", status_code=200, sync_to_thread=True)
    def checkin(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> GrowthResult:
        """The daily check-in (growth once per UTC day; a second one → 409)."""
        return service.record_growth(database, current_user.user_id, "checkin")

    @post("/reviews", status_code=200, sync_to_thread=True)
    def review(self, data: JSONBody[GrowthInput], current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> GrowthResult:
        """A review of a product bought and paid for (growth once per product, a few a month)."""
        return service.record_growth(database, current_user.user_id, "review", data.sku)

    @post("/shares", status_code=200, sync_to_thread=True)
    def share(self, data: JSONBody[GrowthInput], current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> GrowthResult:
        """A share of a product (growth within daily and monthly caps)."""
        return service.record_growth(database, current_user.user_id, "share", data.sku)


class RewardsController(Controller):
    """`/api/rewards`: the points mall (redemption is the sync mutation `points.redeem`)."""

    path = "/api/rewards"
    tags = ["loyalty"]

    @get("/", sync_to_thread=True, response_model=RewardList)  # type: ignore[call-overload]
    def list_rewards(
        self, request: Request, database: NamedDependency[Database],
        category: Annotated[str | None, Parameter(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")] = None,
    ) -> Response[RewardList]:
        """Active rewards, cheapest first, with their stock, tier prices and tier limits (of one `category`)."""
        items = service.rewards(database, category=category)
        return cacheable(request, RewardList(items=items), max_age=0, stale_while_revalidate=60)
