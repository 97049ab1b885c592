"""Push delivery's SQL: subscriptions (one per browser, tied to a device) and the outbox of deliveries."""

from __future__ import annotations

from typing import Any

from accounts import vault
from clock.rows import column, one

from .store import ENDPOINT, PUSH_KEY, marks


def _opened(row: dict | None) -> dict | None:
    """A subscription row with its endpoint and keys opened (they are sealed at rest)."""
    if row is not None:
        row["endpoint"] = vault.unseal_text(ENDPOINT, row["endpoint"])
        row["p256dh"] = vault.unseal_text(PUSH_KEY, row["p256dh"])
        row["auth"] = vault.unseal_text(PUSH_KEY, row["auth"])
        row.pop("endpoint_index", None)
    return row


def subscription_id_for(db: Any, endpoint: str) -> int | None:
    """The subscription holding this endpoint (its blind index under any readable key)."""
    indexes = vault.blind_indexes(ENDPOINT, endpoint)
    row = db.execute(f"SELECT id FROM push_subscriptions WHERE endpoint_index IN ({marks(indexes)})", indexes).fetchone()
    return row[0] if row else None


# --- subscriptions --------------------------------------------------------------------------------

def add_subscription(db: Any, user_id: int, device_id: int | None, endpoint: str, p256dh: str, auth: str,
                     now: str) -> int | None:
    """Store a subscription (an endpoint re-subscribed moves to this shopper/device with fresh keys); its id, or None
    when another process registered the endpoint after the caller looked (its keys were never compared).

    Endpoint and keys are sealed; the endpoint is matched by its blind index (a new one claims it with the insert).
    """
    sealed = [vault.seal(PUSH_KEY, p256dh), vault.seal(PUSH_KEY, auth)]
    existing = subscription_id_for(db, endpoint)
    if existing is not None:
        db.execute(
            "UPDATE push_subscriptions SET user_id = ?, device_id = ?, p256dh = ?, auth = ?, consent_at = ? WHERE id = ?",
            [user_id, device_id, *sealed, now, existing],
        )
        return existing
    found = db.execute(
        "INSERT INTO push_subscriptions (user_id, device_id, endpoint, endpoint_index, p256dh, auth, consent_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_index) DO NOTHING RETURNING id",
        [user_id, device_id, vault.seal(ENDPOINT, endpoint), vault.blind_index(ENDPOINT, endpoint), *sealed, now, now],
    ).fetchone()
    return found[0] if found else None


def get_subscription(db: Any, subscription_id: int) -> dict | None:
    """One subscription row."""
    return _opened(one(db, "SELECT * FROM push_subscriptions WHERE id = ?", [subscription_id]))


def user_subscriptions(db: Any, user_id: int) -> list[dict]:
    """A shopper's subscriptions, oldest first."""
    return [_opened(r) for r in db.query("SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id", [user_id])]


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


def delete_user_subscriptions(db: Any, user_id: int) -> int:
    """Delete every subscription of a shopper (account deletion); how many."""
    ids = column(db, "SELECT id FROM push_subscriptions WHERE user_id = ?", [user_id])
    for sid in ids:
        delete_subscription(db, sid)
    return len(ids)


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
    rows = [_opened(r) for r in rows]
    ids = [r["id"] for r in rows]
    if ids:
        db.execute(
            f"UPDATE push_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1 WHERE id IN ({marks(ids)})",
            [now, *ids],
        )
    return rows


def finish(db: Any, outbox_id: int, state: str, status: int | None, now: str, not_before: str | None = None) -> None:
    """Record how a claimed delivery ended: 'accepted', 'gone', 'rejected', 'failed', or back to 'pending' for a retry.

    Each 429 is counted in ``throttled``, so a delivery throttled once and accepted later still shows as throttled.
    """
    throttled = int(status == 429)
    if state == "pending":
        db.execute(
            "UPDATE push_outbox SET state = 'pending', status = ?, not_before = ?, claimed_at = NULL,"
            " throttled = throttled + ? WHERE id = ? AND state = 'sending'",
            [status, not_before, throttled, outbox_id],
        )
    else:
        db.execute(
            "UPDATE push_outbox SET state = ?, status = ?, sent_at = ?, throttled = throttled + ?"
            " WHERE id = ? AND state = 'sending'",
            [state, status, now, throttled, outbox_id],
        )


def outbox_rows(db: Any, message_id: int | None = None) -> list[dict]:
    """Outbox rows (of one message), for tests and the operator."""
    if message_id is None:
        return list(db.query("SELECT * FROM push_outbox ORDER BY id"))
    return list(db.query("SELECT * FROM push_outbox WHERE message_id = ? ORDER BY id", [message_id]))


def pending_count(db: Any, now: str) -> int:
    """Deliveries due now."""
    return db.execute("SELECT count(*) FROM push_outbox WHERE state = 'pending' AND not_before <= ?", [now]).fetchone()[0]


# --- lastmile verify --------------------------------------------------------------------------------

OUTBOX_STATES = ("pending", "sending", "accepted", "gone", "failed", "rejected", "lost", "dropped")
"""Every state a delivery can be in (pending -> sending -> one of the rest; dropped with its subscription)."""


def outbox_problems(db: Any) -> list[dict]:
    """Deliveries in no known state, claimed without a claim time, or pending for a subscription that is gone."""
    states = ", ".join(f"'{s}'" for s in OUTBOX_STATES)
    return list(db.query(
        "SELECT o.id, o.message_id, o.subscription_id, o.state, o.claimed_at, s.id AS live_subscription"
        " FROM push_outbox o LEFT JOIN push_subscriptions s ON s.id = o.subscription_id"
        f" WHERE o.state NOT IN ({states}) OR (o.state = 'sending' AND o.claimed_at IS NULL)"
        " OR (o.state = 'pending' AND s.id IS NULL) ORDER BY o.id"
    ))
