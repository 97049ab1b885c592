"""The role guard of `/api/admin/...`: a bearer token (an operator's API token or LASTMILE_ADMIN_TOKEN) whose role
holds the permission the route declares in ``opt={"permission": ...}`` (a controller's, overridden per handler).

A route that declares no permission is owner-only, so a forgotten declaration fails closed.
"""

from __future__ import annotations

import hmac
from functools import lru_cache

from anyio import to_thread
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from operators import service
from operators.errors import Forbidden, NotSignedIn
from operators.models import ADMIN_TOKEN_PRINCIPAL, Principal
from operators.policy import OperatorPolicy
from operators.roles import Permission
from server.http.auth import bearer_token
from server.settings import Settings

PERMISSION = "permission"
STATE_KEY = "operator"


@lru_cache(maxsize=8)
def operator_policy(settings: Settings) -> OperatorPolicy:
    """The operators room's knobs from the settings (sign-in limits are the shoppers' login limits)."""
    return OperatorPolicy(
        scrypt_n=settings.scrypt_n,
        session_idle_seconds=settings.operator_session_idle_minutes * 60,
        session_max_seconds=settings.operator_session_max_hours * 3600,
        token_max_seconds=settings.operator_token_days * 86_400,
        signin_window_seconds=settings.login_window_seconds,
        signin_max_failures_per_account=settings.login_max_failures_per_account,
        signin_max_attempts_per_address=settings.login_max_attempts_per_address,
    )


def required_permission(handler: BaseRouteHandler) -> str:
    """What the route declares it needs; owner-only (operators) when it declares nothing."""
    return str(handler.opt.get(PERMISSION) or Permission.OPERATORS)


def check(principal: Principal, permission: str) -> None:
    """Forbidden unless the principal's role holds the permission."""
    if not principal.can(permission):
        raise Forbidden(f"the {principal.role or 'unknown'} role may not use this ({permission} is needed)")


async def bearer_principal(connection: ASGIConnection) -> Principal:
    """The principal behind `Authorization: Bearer`: the owner-level admin token, else an operator's API token."""
    token = bearer_token(connection)
    if token is None:
        raise NotSignedIn()
    expected: str = connection.app.state.admin_token
    if hmac.compare_digest(token.encode(), expected.encode()):
        return ADMIN_TOKEN_PRINCIPAL
    state = connection.app.state
    policy = operator_policy(state.settings)
    return await to_thread.run_sync(service.authenticate_token, state.database, policy, token)


async def role_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Let the request through when its bearer token's role holds the route's permission (401/403 otherwise)."""
    principal = await bearer_principal(connection)
    # Kept in the scope for the audit middleware (server/http/audit.py) and the handlers.
    connection.scope.setdefault("state", {})[STATE_KEY] = principal
    check(principal, required_permission(handler))
