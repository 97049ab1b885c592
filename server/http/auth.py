"""Shopper authentication for HTTP: the `current_user` dependency (bearer token) and the accounts policy."""

from __future__ import annotations

from functools import lru_cache

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency

from accounts import service
from accounts.errors import NotAuthenticated
from accounts.models import CurrentUser
from accounts.policy import AuthPolicy
from server.db import Database
from server.settings import Settings


@lru_cache(maxsize=8)
def auth_policy(settings: Settings) -> AuthPolicy:
    """The accounts room's knobs from the settings."""
    return AuthPolicy(
        scrypt_n=settings.scrypt_n,
        token_idle_seconds=settings.token_idle_days * 86_400,
        token_max_seconds=settings.token_max_days * 86_400,
        login_window_seconds=settings.login_window_seconds,
        login_max_failures_per_account=settings.login_max_failures_per_account,
        login_max_attempts_per_address=settings.login_max_attempts_per_address,
    )


def bearer_token(connection: ASGIConnection) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if there is one (shoppers' and operators' alike)."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def client_address(request: Request) -> str:
    """The peer address the rate limits count against."""
    return request.client.host if request.client else "unknown"


def current_user(request: Request, database: NamedDependency[Database], settings: NamedDependency[Settings]) -> CurrentUser:
    """Dependency: the caller from the bearer token, or a 401 problem (register with sync_to_thread=True)."""
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated()
    return service.authenticate(database, auth_policy(settings), token)
