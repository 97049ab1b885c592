"""A shopper's own data across the rooms: the export (`GET /api/me/export`) and account deletion (`DELETE /api/me`).

Wiring only: each room exports and erases its own part; this module puts them in one snapshot or one transaction.
"""

from __future__ import annotations

from typing import Any

from accounts import service as accounts_service
from accounts.models import CurrentUser
from accounts.policy import AuthPolicy
from clock import now_iso
from loyalty import service as loyalty_service
from retention import service as retention_service
from reviews import service as reviews_service
from sync import store as sync_store
from sync.poke import notify

FORMAT = "lastmile-export/1"
COVERED = ("prefs/", "cart/", "wishlist/", "addresses/", "points", "consents", "errors/")


def export(database: Any, user_id: int) -> dict:
    """Everything the shop keeps about the shopper, opened, as JSON-ready data (one consistent snapshot)."""
    with database.snapshot() as db:
        view = sync_store.get_view(db, user_id)
        account = accounts_service.export(db, user_id)
        return {
            "format": FORMAT,
            "exportedAt": now_iso(),
            "account": {k: v for k, v in account.items() if k not in ("devices", "consents")},
            "devices": account["devices"],
            "consents": account["consents"],
            "prefs": {k.removeprefix("prefs/"): v for k, v in view.items() if k.startswith("prefs/")},
            "cart": [v for k, v in view.items() if k.startswith("cart/")],
            "wishlist": [v for k, v in view.items() if k.startswith("wishlist/")],
            "points": view.get("points"),
            "addresses": [v for k, v in view.items() if k.startswith("addresses/")],
            # Everything else devices sync (offers, order summaries, coupons, ...), so nothing kept is left out.
            "view": {k: v for k, v in view.items() if not k.startswith(COVERED)},
            **loyalty_service.export_data(db, user_id),
            **retention_service.export_data(db, user_id),
            "reviews": reviews_service.export_data(db, user_id),
        }


def delete_account(database: Any, policy: AuthPolicy, current: CurrentUser, password: str, code: str | None) -> None:
    """Re-authenticate, then erase the shopper's personal data in one transaction: account, devices and tokens,
    consents, synced view (prefs, cart, wishlist), push subscriptions, marketing profile and reviews. Orders and the
    points ledger stay for accounting, tied only to the anonymous user id (their delivery addresses go)."""
    accounts_service.reauthenticate(database, policy, current, password, code)
    with database.write() as db:
        # A sync push or checkout of this shopper on another process finishes first, so every row it wrote is seen
        # (and erased) here; one that began after would otherwise commit rows this erasure never saw.
        sync_store.lock_shopper(db, current.user_id)
        sync_store.erase_user(db, current.user_id)
        retention_service.erase_shopper(db, current.user_id)
        loyalty_service.erase_shopper(db, current.user_id)
        reviews_service.erase(db, current.user_id)  # their words and chosen name go with them
        accounts_service.erase(db, current.user_id)
    notify(current.user_id)  # open poke streams see the signed-out device and end
