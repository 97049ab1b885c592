"""The admin guard: operators present `Authorization: Bearer <LASTMILE_ADMIN_TOKEN>`."""

from __future__ import annotations

import hmac

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler


def admin_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Let the request through only with the admin bearer token (compared in constant time)."""
    expected: str = connection.app.state.admin_token
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise NotAuthorizedException("admin routes need the operator's bearer token", headers={"WWW-Authenticate": "Bearer"})
