"""Recommendation routes: the signed-in shopper's "for you" (theirs only: the caller's token picks the shopper)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import Parameter

import clock
from accounts.models import CurrentUser
from recs import service
from recs.models import ForYou
from server.db import Database
from server.http.api_description import SHOPPER, problems


class RecsController(Controller):
    """`/api/me/recommendations`: what the caller may like."""

    path = "/api/me/recommendations"
    tags = ["recommendations"]
    cache_control = CacheControlHeader(private=True, max_age=300)
    security = SHOPPER

    @get("/", sync_to_thread=True, summary="Recommendations for me", responses=problems(400, 401))
    def for_you(
        self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database],
        limit: Annotated[int, Parameter(ge=1, le=24)] = 8,
    ) -> ForYou:
        """Products like the ones the caller bought and viewed (recent and frequent ones weigh more), without what
        they bought already; the popular ones for a new shopper or without their consent to analytics."""
        with database.snapshot() as db:
            return service.for_you(db, current_user.user_id, clock.now(), limit)
