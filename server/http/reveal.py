"""Who may see shoppers' personal data unmasked in operator answers (`?reveal=true&reason=...`), and the audit that
follows: the reason is required, and the attempt, allowed or not, is a line of the audit log (server/http/audit.py)."""

from __future__ import annotations

from typing import Annotated

from litestar.connection import ASGIConnection
from litestar.params import Parameter

import msgspec

from accounts.errors import RevealForbidden, RevealReasonRequired
from accounts.masking import mask_phone, mask_text
from accounts.models import Reveal
from operators.models import Principal
from server.http.audit import REVEAL_REASON
from sync.addresses import Address

REVEAL_ROLES = frozenset({"owner", "support"})
"""Roles whose work needs a shopper's real email (support answers shoppers); merchandisers and marketers see masks."""

ADMIN_TOKEN_ROLE = "owner"
REASON_MIN, REASON_MAX = 5, 200
"""A reveal's reason: long enough to say something ("ticket 4711"), short enough for an audit line."""

RevealParam = Annotated[bool, Parameter(
    description="show personal data in full (owner and support roles, with `reason`; audited)")]
ReasonParam = Annotated[str | None, Parameter(
    min_length=REASON_MIN, max_length=REASON_MAX,
    description="why the personal data is revealed (required with reveal=true; kept in the audit log)")]


def operator_role(connection: ASGIConnection) -> tuple[str, str]:
    """(role, operator) of the caller of an admin route.

    Operator accounts with roles set ``connection.scope["state"]["operator"] = (role, operator_id)`` in their guard;
    the single admin token (LASTMILE_ADMIN_TOKEN) is the shop's owner.
    """
    found = connection.scope.get("state", {}).get("operator")
    if isinstance(found, Principal):  # the role guard (server/http/roles.py) leaves the caller's principal
        return found.role, str(found.operator_id) if found.operator_id is not None else found.via
    return found if found else (ADMIN_TOKEN_ROLE, "admin-token")


def reveal_for(connection: ASGIConnection, reveal: bool, reason: str | None = None) -> Reveal | None:
    """None (mask) unless ``reveal`` was asked for; RevealForbidden (403) when the caller's role may not,
    RevealReasonRequired (400) without a reason. Every attempt is noted for the request's audit line."""
    if not reveal:
        return None
    reason = (reason or "").strip()
    connection.scope.setdefault("state", {})[REVEAL_REASON] = reason
    role, operator = operator_role(connection)
    if role not in REVEAL_ROLES:
        raise RevealForbidden(f"the {role} role sees shoppers' emails masked; support or the owner may reveal them")
    if len(reason) < REASON_MIN:
        raise RevealReasonRequired(
            f"say why in `reason` ({REASON_MIN} to {REASON_MAX} characters, e.g. a ticket number): it goes into the audit log")
    return Reveal(role=role, operator=operator, route=f"{connection.scope.get('method', 'GET')} {connection.url.path}")


def masked_address(address: Address | dict | None) -> Address | None:
    """A delivery address as operators see it unrevealed: city, region and country (where it goes), the name,
    street and postcode cut short, the phone to its last two digits (orders carry it as the stored dict)."""
    if address is None:
        return None
    if not isinstance(address, Address):
        address = msgspec.convert(address, Address)
    return msgspec.structs.replace(
        address, name=mask_text(address.name), line1=mask_text(address.line1), line2=mask_text(address.line2),
        postcode=address.postcode[:2] + "***" if address.postcode else "", phone=mask_phone(address.phone))
