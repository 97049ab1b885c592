"""Roles and the permissions each holds: what an owner, merchandiser, marketer or support operator may do."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """One thing an operator may do; every admin route and console page names the one it needs."""

    DASHBOARD = "dashboard"
    CATALOG = "catalog"
    STOCK = "stock"
    REWARDS = "rewards"
    SEGMENTS = "segments"
    OFFERS = "offers"
    CAMPAIGNS = "campaigns"
    REPORTS = "reports"
    ORDERS = "orders"
    RETURNS = "returns"
    SHOPPERS = "shoppers"
    REVEAL = "reveal"  # see a shopper's unmasked email (with a reason, audited)
    OPERATORS = "operators"
    AUDIT = "audit"


class Role(StrEnum):
    """An operator's one role."""

    OWNER = "owner"
    MERCHANDISER = "merchandiser"
    MARKETER = "marketer"
    SUPPORT = "support"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.MERCHANDISER: frozenset({P.DASHBOARD, P.CATALOG, P.STOCK, P.REWARDS}),
    Role.MARKETER: frozenset({P.DASHBOARD, P.SEGMENTS, P.OFFERS, P.CAMPAIGNS, P.REPORTS}),
    Role.SUPPORT: frozenset({P.DASHBOARD, P.ORDERS, P.RETURNS, P.SHOPPERS, P.REVEAL}),
}


def allows(role: str, permission: str) -> bool:
    """True when ``role`` holds ``permission``; unknown roles and permissions hold nothing (fail closed)."""
    try:
        return Permission(permission) in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
