"""Who may see shoppers' personal data unmasked in operator answers (`?reveal=true`), and the audit that follows."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from accounts.errors import RevealForbidden
from accounts.models import Reveal
from operators.models import Principal

REVEAL_ROLES = frozenset({"owner", "support"})
"""Roles whose work needs a shopper's real email (support answers shoppers); merchandisers and marketers see masks."""

ADMIN_TOKEN_ROLE = "owner"


def operator_role(connection: ASGIConnection) -> tuple[str, str]:
    """(role, operator) of the caller of an admin route.

    Operator accounts with roles set ``connection.scope["state"]["operator"] = (role, operator_id)`` in their guard;
    the single admin token (LASTMILE_ADMIN_TOKEN) is the shop's owner.
    """
    found = connection.scope.get("state", {}).get("operator")
    if isinstance(found, Principal):  # the role guard (server/http/roles.py) leaves the caller's principal
        return found.role, str(found.operator_id) if found.operator_id is not None else found.via
    return found if found else (ADMIN_TOKEN_ROLE, "admin-token")


def reveal_for(connection: ASGIConnection, reveal: bool) -> Reveal | None:
    """None (mask) unless ``reveal`` was asked for; RevealForbidden (403) when the caller's role may not."""
    if not reveal:
        return None
    role, operator = operator_role(connection)
    if role not in REVEAL_ROLES:
        raise RevealForbidden(f"the {role} role sees shoppers' emails masked; support or the owner may reveal them")
    return Reveal(role=role, operator=operator, route=f"{connection.scope.get('method', 'GET')} {connection.url.path}")
