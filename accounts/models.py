"""Accounts wire Structs (camelCase) and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

Email = Annotated[str, Meta(min_length=3, max_length=254)]
Password = Annotated[str, Meta(min_length=8, max_length=1024)]
DeviceName = Annotated[str, Meta(min_length=1, max_length=100)]
TotpCode = Annotated[str, Meta(pattern=r"^[0-9]{6}$")]


class CurrentUser(msgspec.Struct, frozen=True):
    """Who is calling: the user and the device whose token was presented."""

    user_id: int
    device_id: int


class ShopperActivity(msgspec.Struct, frozen=True):
    """What other rooms may know of a shopper's activity: sign-up and last token use (unix seconds)."""

    user_id: int
    created_at: int
    last_used_at: int | None = None


class SignupRequest(msgspec.Struct, rename="camel"):
    """Create an account and sign this device in."""

    email: Email
    password: Password
    device_name: DeviceName = "browser"


class LoginRequest(msgspec.Struct, rename="camel"):
    """Sign a device in; ``totp`` is needed when the account has 2FA on."""

    email: Email
    password: Annotated[str, Meta(min_length=1, max_length=1024)]
    device_name: DeviceName = "browser"
    totp: TotpCode | None = None


class Session(msgspec.Struct, rename="camel"):
    """A new device token: send it as `Authorization: Bearer <token>`; it is shown once."""

    token: str
    user_id: int
    device_id: int


class Me(msgspec.Struct, rename="camel"):
    """The signed-in user."""

    user_id: int
    email: str
    created_at: str
    totp_enabled: bool
    device_id: int


class Device(msgspec.Struct, rename="camel"):
    """One signed-in device of the user."""

    id: int
    name: str
    created_at: str
    last_used_at: str
    current: bool


class TotpEnrolment(msgspec.Struct, rename="camel"):
    """A new TOTP secret: show `uri` as a QR code (or `secret` to type), then confirm with a code."""

    secret: str
    uri: str


class TotpCodeRequest(msgspec.Struct, rename="camel"):
    """A six-digit code from the authenticator app."""

    code: TotpCode


class StreamTicket(msgspec.Struct, rename="camel"):
    """A short-lived credential for EventSource (which cannot send headers): `?ticket=...`."""

    ticket: str
    expires_in: int


class Reveal(msgspec.Struct, frozen=True):
    """An operator allowed to see personal data unmasked, and where (each reveal is audited)."""

    role: str
    operator: str
    route: str


class DeleteAccountRequest(msgspec.Struct, rename="camel"):
    """Account deletion asks for the password again (and a TOTP code when 2FA is on)."""

    password: Annotated[str, Meta(min_length=1, max_length=1024)]
    totp: TotpCode | None = None
