"""Operator Structs: the authenticated principal, list rows, sign-in results, audit entries."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from .roles import allows

OperatorEmail = Annotated[str, Meta(min_length=3, max_length=254)]
OperatorPassword = Annotated[str, Meta(min_length=1, max_length=1024)]
Code = Annotated[str, Meta(pattern=r"^[0-9]{6}$")]


class Principal(msgspec.Struct, frozen=True):
    """Who is acting: an operator (by id) or the owner-level automation token (``operator_id`` None)."""

    operator_id: int | None
    email: str
    role: str
    via: str  # "session", "token", "admin-token" or "cli"

    def can(self, permission: str) -> bool:
        """True when this principal's role holds ``permission``."""
        return allows(self.role, permission)


ADMIN_TOKEN_PRINCIPAL = Principal(operator_id=None, email="LASTMILE_ADMIN_TOKEN", role="owner", via="admin-token")


class OperatorRow(msgspec.Struct, rename="camel"):
    """One operator as listings show it (no secrets)."""

    id: int
    email: str
    role: str
    disabled: bool
    created_at: str
    last_sign_in_at: str | None


class NewOperator(msgspec.Struct, rename="camel"):
    """A created (or re-enrolled) operator and the TOTP provisioning URI to scan, shown once."""

    id: int
    email: str
    role: str
    otpauth_uri: str


class SessionInfo(msgspec.Struct, frozen=True):
    """A console session: its principal, its CSRF token and the session's database id."""

    session_id: int
    principal: Principal
    csrf_token: str


class SignedIn(msgspec.Struct, frozen=True):
    """A new console session: the cookie value (shown once) and what the session holds."""

    cookie: str
    info: SessionInfo


class AuditEntry(msgspec.Struct, rename="camel"):
    """One line of the audit log: who, what, when, from where, and how it ended."""

    id: int
    at: str
    actor: str
    role: str
    action: str
    target: str
    detail: str
    address: str
    status: int
