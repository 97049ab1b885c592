"""The email outbox's SQL: messages waiting to go out by email, claimed by one runner at a time."""

from __future__ import annotations

from typing import Any

from .store import marks

EMAIL_STATES = ("pending", "sending", "sent", "rejected", "failed", "lost", "dropped")
"""pending -> sending -> sent | rejected | failed, or back to pending for a retry; lost (the claiming runner died),
dropped (the shopper withdrew email consent, or left, before it went out)."""


def enqueue(db: Any, row: dict) -> None:
    """Queue one message's email (once per message)."""
    db.execute(
        "INSERT INTO email_outbox (message_id, user_id, locale, subject, body, html, unsubscribe_url, state, not_before)"
        " VALUES (:message_id, :user_id, :locale, :subject, :body, :html, :unsubscribe_url, 'pending', :not_before)"
        " ON CONFLICT (message_id) DO NOTHING",
        row,
    )


def claim_due(db: Any, now: str, limit: int) -> list[dict]:
    """Claim up to ``limit`` due emails ('sending', attempts + 1) in the caller's transaction and return them.

    Each claim is a conditional update (``WHERE state = 'pending'``): a row another runner claimed first is
    skipped, so two runners never send one email twice. On PostgreSQL the candidates are read FOR UPDATE SKIP
    LOCKED, so concurrent runners pick different rows instead of queueing behind each other.
    """
    skip_locked = " FOR UPDATE SKIP LOCKED" if getattr(db, "dialect", "sqlite") == "postgresql" else ""
    candidates = list(db.query(
        "SELECT id, message_id, user_id, locale, subject, body, html, unsubscribe_url, attempts FROM email_outbox"
        f" WHERE state = 'pending' AND not_before <= ? ORDER BY not_before, id LIMIT ?{skip_locked}",
        [now, limit],
    ))
    claimed = []
    for row in candidates:
        taken = db.execute(
            "UPDATE email_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND state = 'pending'",
            [now, row["id"]],
        ).rowcount
        if taken == 1:
            claimed.append(row)
    return claimed


def finish(db: Any, outbox_id: int, state: str, status: int | None, now: str, not_before: str | None = None) -> None:
    """Record how a claimed email ended, or put it back to 'pending' until ``not_before`` for a retry."""
    if state == "pending":
        db.execute(
            "UPDATE email_outbox SET state = 'pending', status = ?, not_before = ?, claimed_at = NULL"
            " WHERE id = ? AND state = 'sending'",
            [status, not_before, outbox_id],
        )
    else:
        db.execute(
            "UPDATE email_outbox SET state = ?, status = ?, sent_at = ? WHERE id = ? AND state = 'sending'",
            [state, status, now, outbox_id],
        )


def mark_lost(db: Any, claimed_before: str) -> int:
    """Claims older than ``claimed_before`` belong to a runner that died: never send them (at-most-once)."""
    return db.execute(
        "UPDATE email_outbox SET state = 'lost' WHERE state = 'sending' AND claimed_at < ?", [claimed_before]
    ).rowcount


def drop_user(db: Any, user_id: int) -> int:
    """Drop a shopper's emails not yet sent (consent withdrawn, account erased); how many."""
    return db.execute(
        "UPDATE email_outbox SET state = 'dropped' WHERE user_id = ? AND state = 'pending'", [user_id]
    ).rowcount


def pending_count(db: Any, now: str) -> int:
    """Emails due now."""
    return db.execute("SELECT count(*) FROM email_outbox WHERE state = 'pending' AND not_before <= ?", [now]).fetchone()[0]


def outbox_rows(db: Any, user_id: int | None = None) -> list[dict]:
    """Outbox rows (of one shopper), for tests and the operator."""
    if user_id is None:
        return list(db.query("SELECT * FROM email_outbox ORDER BY id"))
    return list(db.query("SELECT * FROM email_outbox WHERE user_id = ? ORDER BY id", [user_id]))


def outbox_problems(db: Any) -> list[dict]:
    """Emails in no known state, or claimed without a claim time (lastmile verify)."""
    states = marks(list(EMAIL_STATES))
    return list(db.query(
        "SELECT id, message_id, state, claimed_at FROM email_outbox"
        f" WHERE state NOT IN ({states}) OR (state = 'sending' AND claimed_at IS NULL) ORDER BY id",
        list(EMAIL_STATES),
    ))
