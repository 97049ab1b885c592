"""Operator returns routes (the returns permission: support and owner): the list with each refund target, and
status moves requested → approved → received → refunded (or rejected), audited like every operator write."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from loyalty import service
from loyalty.return_models import AdminReturnList, ReturnStatusChange, ReturnView
from loyalty.return_rules import RETURN_STATUSES
from operators.roles import Permission
from server.api.admin import AdminController
from server.db import Database
from server.http.api_description import problems
from server.http.params import Before, Id, one_of
from server.http.roles import PERMISSION

ReturnStatus = one_of(RETURN_STATUSES)


class AdminReturnsController(AdminController):
    """`/api/admin/returns`: every shopper's returns, newest first, and their status changes."""

    path = "/api/admin/returns"
    opt = {PERMISSION: Permission.RETURNS}
    cache_control = CacheControlHeader(no_store=True)

    @get("/", sync_to_thread=True, summary="Every return", responses=problems(400, 401, 403))
    def list_returns(
        self, database: NamedDependency[Database], status: ReturnStatus = None,
        before: Before = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
    ) -> AdminReturnList:
        """Returns newest first (of one status when given); `secondsToRefundTarget` counts down from receipt."""
        return service.returns_page(database, status, before, limit)

    @post("/{return_id:int}/status", status_code=200, sync_to_thread=True, summary="Move a return",
          responses=problems(400, 401, 403, 404, 409, 413, 422))
    def set_status(self, request: Request, return_id: Id, data: JSONBody[ReturnStatusChange],
                   database: NamedDependency[Database]) -> ReturnView:
        """Move a return; refunding gives back its share of points and growth. A move not allowed → 409."""
        return service.move_return(database, return_id, data.status, listeners=request.app.state.hooks.order_listeners)
