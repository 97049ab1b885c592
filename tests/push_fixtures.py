"""Helpers shared by the push tests: a database shopper with a subscription at the push double."""

from __future__ import annotations

from retention import store


def subscribe(database, double, user_id: int, device_id: int | None = None) -> tuple[int, dict]:
    """A subscription at the double stored for this shopper; (subscription id, browser-side subscription)."""
    sub = double.new_subscription()
    with database.write() as db:
        sid = store.add_subscription(db, user_id, device_id, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], "2026-01-01T00:00:00.000000Z")
    return sid, sub
