"""Push delivery's SQL: subscriptions (one per browser, tied to a device) and the outbox of deliveries."""

from __future__ import annotations

from typing import Any

from .store import marks, one


# --- subscriptions --------------------------------------------------------------------------------

def add_subscription(db: Any, user_id: int, device_id: int | None, endpoint: str, p256dh: str, auth: str, now: str) -> int:
    """Store a subscription (an endpoint re-subscribed moves to this shopper/device with fresh keys); its id."""
    db.execute(
        "INSERT INTO push_subscriptions (user_id, device_id, endpoint, p256dh, auth, consent_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id,"
        " device_id = excluded.device_id, p256dh = excluded.p256dh, auth = excluded.auth,"
        " consent_at = excluded.consent_at",
        [user_id, device_id, endpoint, p256dh, auth, now, now],
    )
    return db.execute("SELECT id FROM push_subscriptions WHERE endpoint = ?", [endpoint]).fetchone()[0]


def get_subscription(db: Any, subscription_id: int) -> dict | None:
    """One subscription row."""
    return one(db, "SELECT * FROM push_subscriptions WHERE id = ?", [subscription_id])


def user_subscriptions(db: Any, user_id: int) -> list[dict]:
    """A shopper's subscriptions, oldest first."""
    return list(db.query("SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id", [user_id]))


def delete_subscription(db: Any, subscription_id: int, user_id: int | None = None) -> bool:
    """Delete a subscription (only the owner's when ``user_id`` is given); its queued deliveries are dropped."""
    if user_id is None:
        cur = db.execute("DELETE FROM push_subscriptions WHERE id = ?", [subscription_id])
    else:
        cur = db.execute("DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?", [subscription_id, user_id])
    if cur.rowcount:
        db.execute(
            "UPDATE push_outbox SET state = 'dropped' WHERE subscription_id = ? AND state = 'pending'", [subscription_id]
        )
    return cur.rowcount == 1


# --- outbox ---------------------------------------------------------------------------------------

def enqueue(db: Any, message_id: int, subscription_id: int, payload: bytes, *, topic: str | None, urgency: str, ttl: int, not_before: str) -> None:
    """Queue one delivery of a message to one subscription."""
    db.execute(
        "INSERT INTO push_outbox (message_id, subscription_id, payload, topic, urgency, ttl, state, not_before)"
        " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
        [message_id, subscription_id, payload, topic, urgency, ttl, not_before],
    )


def mark_lost(db: Any, claimed_before: str) -> int:
    """Claims older than ``claimed_before`` belong to a worker that died: never send them again (at-most-once)."""
    return db.execute(
        "UPDATE push_outbox SET state = 'lost' WHERE state = 'sending' AND claimed_at < ?", [claimed_before]
    ).rowcount


def claim_due(db: Any, now: str, limit: int) -> list[dict]:
    """Mark up to ``limit`` due deliveries 'sending' (inside the caller's transaction) and return them with their keys.

    On PostgreSQL the rows are claimed FOR UPDATE SKIP LOCKED: two delivery workers claiming at once
    take different rows (SQLite's single writer already serialises them).
    """
    claim = " FOR UPDATE OF o SKIP LOCKED" if db.dialect == "postgresql" else ""
    rows = list(
        db.query(
            "SELECT o.id, o.message_id, o.payload, o.topic, o.urgency, o.ttl, o.attempts, o.subscription_id,"
            " s.endpoint, s.p256dh, s.auth, s.user_id FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id"
            f" WHERE o.state = 'pending' AND o.not_before <= ? ORDER BY o.not_before, o.id LIMIT ?{claim}",
            [now, limit],
        )
    )
    ids = [r["id"] for r in rows]
    if ids:
        db.execute(
            f"UPDATE push_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1 WHERE id IN ({marks(ids)})",
            [now, *ids],
        )
    return rows


def finish(db: Any, outbox_id: int, state: str, status: int | None, now: str, not_before: str | None = None) -> None:
    """Record how a claimed delivery ended: 'accepted', 'gone', 'rejected', 'failed', or back to 'pending' for a retry."""
    if state == "pending":
        db.execute(
            "UPDATE push_outbox SET state = 'pending', status = ?, not_before = ?, claimed_at = NULL WHERE id = ? AND state = 'sending'",
            [status, not_before, outbox_id],
        )
    else:
        db.execute(
            "UPDATE push_outbox SET state = ?, status = ?, sent_at = ? WHERE id = ? AND state = 'sending'",
            [state, status, now, outbox_id],
        )


def outbox_rows(db: Any, message_id: int | None = None) -> list[dict]:
    """Outbox rows (of one message), for tests and the operator."""
    if message_id is None:
        return list(db.query("SELECT * FROM push_outbox ORDER BY id"))
    return list(db.query("SELECT * FROM push_outbox WHERE message_id = ? ORDER BY id", [message_id]))


def pending_count(db: Any, now: str) -> int:
    """Deliveries due now."""
    return db.execute("SELECT count(*) FROM push_outbox WHERE state = 'pending' AND not_before <= ?", [now]).fetchone()[0]
