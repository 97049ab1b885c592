"""Accounts HTTP routes: signup, login, logout, me (its export and deletion), devices, TOTP; thin calls into the rooms."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody

import clock
from accounts import service
from accounts.models import (
    CurrentUser,
    DeleteAccountRequest,
    Device,
    LoginRequest,
    Me,
    Session,
    SignupRequest,
    TotpCodeRequest,
    TotpEnrolment,
)
from retention import service as retention_service
from retention.models import TimeZoneReport
from server import shopper_data
from server.db import Database
from server.http.api_description import SHOPPER, problems
from server.http.auth import auth_policy, client_address
from server.http.params import Id
from server.settings import Settings


class AccountsController(Controller):
    """`/api/auth/...`, `/api/me`, `/api/devices`: shopper accounts and their signed-in devices."""

    path = "/api"
    tags = ["accounts"]
    cache_control = CacheControlHeader(no_store=True)

    @post("/auth/signup", status_code=201, sync_to_thread=True, summary="Create an account",
          responses=problems(400, 409, 413, 422, 429))
    def signup(self, request: Request, data: JSONBody[SignupRequest], database: NamedDependency[Database], settings: NamedDependency[Settings]) -> Session:
        """Create an account and sign this device in (the token is shown once)."""
        return service.signup(database, auth_policy(settings), data.email, data.password, data.device_name, client_address(request))

    @post("/auth/login", status_code=200, sync_to_thread=True, summary="Sign a device in",
          responses=problems(400, 401, 413, 429))
    def login(self, request: Request, data: JSONBody[LoginRequest], database: NamedDependency[Database], settings: NamedDependency[Settings]) -> Session:
        """Sign a device in; 401 `bad-credentials` for any wrong email/password/code, `totp-required` when a code is due."""
        return service.login(
            database, auth_policy(settings), data.email, data.password, data.device_name, data.totp, client_address(request)
        )

    @post("/auth/logout", status_code=204, sync_to_thread=True, summary="Sign this device out", security=SHOPPER,
          responses=problems(401))
    def logout(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> None:
        """Revoke this device's token."""
        service.logout(database, current_user)

    @get("/me", sync_to_thread=True, summary="The signed-in account", security=SHOPPER, responses=problems(401))
    def me(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> Me:
        """The signed-in account."""
        return service.me(database, current_user)

    @put("/me/time-zone", status_code=204, sync_to_thread=True, request_max_body_size=1024,
         summary="Report my time zone", security=SHOPPER, responses=problems(400, 401, 413, 422))
    def time_zone(self, data: JSONBody[TimeZoneReport], current_user: NamedDependency[CurrentUser],
                  database: NamedDependency[Database]) -> None:
        """The shopper's IANA time zone from their browser: quiet hours and local send times (push and email) use it;
        422 `bad-time-zone` for a name that is not a known zone (nothing changes)."""
        retention_service.set_time_zone(database, current_user.user_id, data.time_zone, clock.now())

    @get("/me/export", sync_to_thread=True, tags=["privacy"], summary="Export all my data", security=SHOPPER,
         responses=problems(401))
    def export(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> dict[str, Any]:
        """All the shopper's data: account, devices, consents, prefs, cart, wishlist, orders, points ledger, push
        subscriptions and profile, opened (it is theirs)."""
        return shopper_data.export(database, current_user.user_id)

    @delete("/me", status_code=204, sync_to_thread=True, tags=["privacy"], summary="Delete my account", security=SHOPPER,
            responses=problems(400, 401, 403, 413, 429))
    def delete_account(
        self, data: JSONBody[DeleteAccountRequest], current_user: NamedDependency[CurrentUser],
        database: NamedDependency[Database], settings: NamedDependency[Settings],
    ) -> None:
        """Erase the account: 403 `reauthentication-failed` unless the password (and TOTP code when 2FA is on) is
        right. Personal data goes, every device is signed out; orders stay, anonymised, for accounting."""
        shopper_data.delete_account(database, auth_policy(settings), current_user, data.password, data.totp)

    @get("/devices", sync_to_thread=True, summary="My signed-in devices", security=SHOPPER, responses=problems(401))
    def devices(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> list[Device]:
        """Every device signed in to this account."""
        return service.devices(database, current_user)

    @delete("/devices/{device_id:int}", status_code=204, sync_to_thread=True, summary="Sign a device out", security=SHOPPER,
            responses=problems(400, 401, 404))
    def revoke_device(self, device_id: Id, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> None:
        """Sign a device out (404 for a device that is not yours)."""
        service.revoke_device(database, current_user, device_id)

    @post("/auth/totp/enrol", status_code=200, sync_to_thread=True, summary="Start two-factor enrolment", security=SHOPPER,
          responses=problems(401, 409))
    def totp_enrol(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> TotpEnrolment:
        """A new TOTP secret and its otpauth:// URI; 2FA is on only after /confirm."""
        return service.totp_enrol(database, current_user)

    @post("/auth/totp/confirm", status_code=204, sync_to_thread=True, summary="Turn two-factor sign-in on", security=SHOPPER,
          responses=problems(400, 401, 409, 413, 422, 429))
    def totp_confirm(
        self, data: JSONBody[TotpCodeRequest], current_user: NamedDependency[CurrentUser], database: NamedDependency[Database], settings: NamedDependency[Settings]
    ) -> None:
        """Turn 2FA on with a code from the app (wrong codes are rate-limited like logins)."""
        service.totp_confirm(database, current_user, data.code, policy=auth_policy(settings))

    @post("/auth/totp/disable", status_code=204, sync_to_thread=True, summary="Turn two-factor sign-in off", security=SHOPPER,
          responses=problems(400, 401, 409, 413, 422, 429))
    def totp_disable(
        self, data: JSONBody[TotpCodeRequest], current_user: NamedDependency[CurrentUser], database: NamedDependency[Database], settings: NamedDependency[Settings]
    ) -> None:
        """Turn 2FA off with a current code (wrong codes are rate-limited like logins)."""
        service.totp_disable(database, current_user, data.code, policy=auth_policy(settings))
