"""Unsubscribe links: a signed token per shopper that withdraws email consent without signing in.

The token is ``<user id>.<blind index>``: the vault's keyed HMAC of the user id (kind ``unsubscribe.email``), so it
needs no table, cannot be forged without the data key, and keeps working across key rotations (it is checked
against every readable key). It never expires: RFC 8058 asks that a List-Unsubscribe link keep working.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Any

from accounts import vault
from accounts.consents import EMAIL
from sync import consent
from sync import store as sync_store

from . import email_store

KIND = "unsubscribe.email"
MAX_TOKEN = 160
_TOKEN = re.compile(r"^([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{1,16}\.[0-9a-f]{64})$")
CLIENT_ID = "unsubscribe-link"
"""The clientId the consent decision is stamped with (the shopper's devices show who changed it)."""


def token_for(user_id: int) -> str:
    """The shopper's unsubscribe token."""
    return f"{user_id}.{vault.blind_index(KIND, str(user_id))}"


def shopper_of(token: str | None) -> int | None:
    """The shopper a token was made for, or None for a malformed or forged one."""
    if not token or len(token) > MAX_TOKEN:
        return None
    match = _TOKEN.match(token)
    if match is None:
        return None
    user_id, mac = int(match.group(1)), match.group(2)
    if user_id >= 2**63:
        return None
    valid = [hmac.compare_digest(mac, candidate) for candidate in vault.blind_indexes(KIND, str(user_id))]
    return user_id if any(valid) else None


def link(public_url: str, user_id: int) -> str:
    """The absolute unsubscribe URL for the shopper (the page asks before it unsubscribes)."""
    return f"{public_url.rstrip('/')}/unsubscribe?token={token_for(user_id)}"


def unsubscribe(db: Any, user_id: int, now: datetime) -> None:
    """Withdraw the shopper's email consent (synced to their devices like a `consent.set`), drop unsent emails."""
    # The consent is last-writer-wins (read, then write): serialised with the shopper's sync pushes on every process.
    sync_store.lock_shopper(db, user_id)
    consent.record(db, user_id, EMAIL, False, int(now.timestamp() * 1000), CLIENT_ID)
    email_store.drop_user(db, user_id)
