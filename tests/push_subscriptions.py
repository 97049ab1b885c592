"""Helpers shared by the push tests: shoppers and devices in the database, subscriptions at the push double."""

from __future__ import annotations

from accounts import store as accounts_store
from retention import push_store


def ensure_shopper(database, user_id: int, device_id: int | None = None) -> None:
    """Make users (and a device) up to these ids exist, as signing up would."""
    with database.write() as db:
        while accounts_store.user_by_id(db, user_id) is None:
            accounts_store.create_user(db, f"shopper{db.execute('SELECT count(*) FROM users').fetchone()[0] + 1}@example.com", "not-a-hash", 0)
        while device_id is not None and not accounts_store.device_exists(db, device_id):
            count = db.execute("SELECT count(*) FROM devices").fetchone()[0]
            accounts_store.create_device(db, user_id, f"device {count + 1}", f"hash-{count + 1}", 0)


def subscribe(database, double, user_id: int, device_id: int | None = None) -> tuple[int, dict]:
    """A subscription at the double stored for this shopper; (subscription id, browser-side subscription)."""
    ensure_shopper(database, user_id, device_id)
    sub = double.new_subscription()
    with database.write() as db:
        sid = push_store.add_subscription(db, user_id, device_id, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], "2026-01-01T00:00:00.000000Z")
    return sid, sub
