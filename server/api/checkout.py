"""Checkout's review step: `POST /api/checkout/quote` prices the synced cart with a code, address and delivery."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody

from accounts.models import CurrentUser
from loyalty import service
from loyalty.models import CheckoutQuote, QuoteRequest
from loyalty.payment import by_method
from server.db import Database
from server.http.api_description import SHOPPER, problems


class CheckoutController(Controller):
    """`/api/checkout/...`: what placing the order would charge, before it is placed."""

    path = "/api/checkout"
    tags = ["orders"]
    cache_control = CacheControlHeader(no_store=True)
    security = SHOPPER

    @post("/quote", status_code=200, sync_to_thread=True, summary="Price the synced cart before ordering",
          responses=problems(400, 401, 409, 413, 422))
    def quote(
        self, request: Request, data: JSONBody[QuoteRequest], current_user: NamedDependency[CurrentUser],
        database: NamedDependency[Database],
    ) -> CheckoutQuote:
        """Lines at catalog prices, the code's discount, every delivery option priced, the chosen one in the total,
        the address (the caller's own only: another id → 422), payment methods and the points the order earns.
        Nothing is written: placing the order (`POST /api/orders`) prices it again."""
        hooks = request.app.state.hooks
        return service.quote_checkout(database, current_user.user_id, data, discount_providers=hooks.discount_providers,
                                      payment_methods=list(by_method(hooks.payment_providers)))
