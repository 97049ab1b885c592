"""Loyalty HTTP routes: checkout and orders, points and growth, the points mall; thin calls into loyalty.service."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody, Parameter, PathParameter

from accounts.models import CurrentUser
from loyalty import service
from loyalty.checkout import Payments
from loyalty.payment import by_method
from loyalty.service import IDEMPOTENCY_KEY
from loyalty.models import (
    CheckoutRequest,
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
from server.http.api_description import SHOPPER, problems, raw_body
from server.http.body import read_body
from server.http.conditional import cacheable
from server.http.params import Before, Id
from server.settings import Settings

RewardIdPath = Annotated[str, PathParameter(max_length=48)]


class OrdersController(Controller):
    """`/api/orders`: checkout of the synced cart, and the shopper's orders."""

    path = "/api/orders"
    tags = ["orders"]
    cache_control = CacheControlHeader(no_store=True)
    security = SHOPPER

    @post("/", status_code=201, response_model=Order, request_max_body_size=None,  # type: ignore[call-overload]
          summary="Check out the synced cart", responses=problems(400, 401, 402, 409, 413, 422),
          operation_class=raw_body(CheckoutRequest, "An optional code, address, delivery option and payment; prices, "
                                   "fees, totals and points come from the server. An empty body is an order with none "
                                   "of them.", required=False))
    async def place(
        self, request: Request, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database],
        settings: NamedDependency[Settings],
        idempotency_key: Annotated[str | None, HeaderParameter(
            name="Idempotency-Key", required=False, max_length=200, schema_extra={"pattern": IDEMPOTENCY_KEY.pattern},
            description="Required: 1 to 200 visible ASCII characters naming this checkout; a retry with the same key "
                        "and body replays the first answer (`Idempotent-Replayed: true`), a different body → 422.",
        )] = None,
    ) -> Response[Order]:
        """Check out the synced cart to an address from the synced address book, with a delivery option and a payment
        (`card` with the provider's token, or `cod`); a declined payment → 402 and nothing ordered. The same
        `Idempotency-Key` replays the first response, a different body → 422."""
        body = await read_body(request, 4096)
        key = idempotency_key
        hooks = request.app.state.hooks
        payments = Payments(providers=by_method(hooks.payment_providers), hold_days=settings.points_hold_days)
        result = await to_thread.run_sync(
            lambda: service.place_order(database, current_user.user_id, key, body,
                                        discount_providers=hooks.discount_providers, payments=payments)
        )
        headers = {"Cache-Control": "no-store"}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(content=result.body, status_code=result.status, media_type="application/json", headers=headers)

    @get("/", sync_to_thread=True, summary="My orders", responses=problems(400, 401))
    def list_orders(
        self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database],
        cursor: Before = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> OrderList:
        """The shopper's orders, newest first; `nextCursor` continues the list."""
        return service.list_orders(database, current_user.user_id, cursor, limit)

    @get("/{order_id:int}", sync_to_thread=True, summary="One of my orders", responses=problems(400, 401, 404))
    def get_order(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database], order_id: Id) -> Order:
        """One of the shopper's orders (anyone else's answers 404)."""
        return service.get_order(database, order_id, current_user.user_id)


class LoyaltyController(Controller):
    """`/api/loyalty/...`: the shopper's points and tier, coupons, check-in, reviews and shares."""

    path = "/api/loyalty"
    tags = ["loyalty"]
    cache_control = CacheControlHeader(no_store=True)

    @get("/points", sync_to_thread=True, summary="My points and tier", security=SHOPPER, responses=problems(401))
    def points(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> PointsView:
        """Balance, pending points, tier, growth, progress and lots expiring soon (as of now)."""
        return service.points(database, current_user.user_id)

    @get("/coupons", sync_to_thread=True, summary="My coupons", security=SHOPPER, responses=problems(401))
    def coupons(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> list[Coupon]:
        """Coupons redeemed from the points mall, newest first."""
        return service.coupons(database, current_user.user_id)

    @get("/growth-shop", sync_to_thread=True, summary="What growth buys")
    def growth_shop(self, database: NamedDependency[Database]) -> GrowthShop:
        """What growth buys (sync mutations `growth.coupon`, `growth.draw`): cash coupons, lotteries and their odds."""
        return service.growth_shop_view(database)

    @post("/checkin", status_code=200, sync_to_thread=True, summary="Daily check-in", security=SHOPPER,
          responses=problems(401, 409))
    def checkin(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> GrowthResult:
        """The daily check-in (growth once per UTC day; a second one → 409)."""
        return service.record_growth(database, current_user.user_id, "checkin")

    @post("/reviews", status_code=200, sync_to_thread=True, summary="Record a review", security=SHOPPER,
          responses=problems(400, 401, 409, 413, 422))
    def review(self, data: JSONBody[GrowthInput], current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> GrowthResult:
        """A review of a product bought and paid for (growth once per product, a few a month)."""
        return service.record_growth(database, current_user.user_id, "review", data.sku)

    @post("/shares", status_code=200, sync_to_thread=True, summary="Record a share", security=SHOPPER,
          responses=problems(400, 401, 409, 413, 422))
    def share(self, data: JSONBody[GrowthInput], current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> GrowthResult:
        """A share of a product (growth within daily and monthly caps)."""
        return service.record_growth(database, current_user.user_id, "share", data.sku)


class RewardsController(Controller):
    """`/api/rewards`: the points mall (redemption is the sync mutation `points.redeem`)."""

    path = "/api/rewards"
    tags = ["loyalty"]

    @get("/", sync_to_thread=True, response_model=RewardList, summary="The points mall",  # type: ignore[call-overload]
         responses=problems(400))
    def list_rewards(
        self, request: Request, database: NamedDependency[Database],
        category: Annotated[str | None, Parameter(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")] = None,
    ) -> Response[RewardList]:
        """Active rewards, cheapest first, with their stock, tier prices and tier limits (of one `category`)."""
        items = service.rewards(database, category=category)
        return cacheable(request, RewardList(items=items), max_age=0, stale_while_revalidate=60)
