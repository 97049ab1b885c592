"""Operator reads of the retention room's tables: push delivery health and deferrals, for the console and /metrics."""

from __future__ import annotations

from typing import Any


def delivery_states(db: Any, since: str) -> list[dict]:
    """Deliveries of messages created since ``since`` by state, with how many of them met a 429 (throttled)."""
    return list(db.query(
        "SELECT o.state AS state, count(*) AS n, sum(CASE WHEN o.throttled > 0 THEN 1 ELSE 0 END) AS throttled"
        " FROM push_outbox o JOIN retention_messages m ON m.id = o.message_id WHERE m.created_at >= ?"
        " GROUP BY o.state ORDER BY o.state",
        [since],
    ))


def daily_deliveries(db: Any, since: str) -> list[dict]:
    """Finished deliveries per day (by send time) and state since ``since``."""
    return list(db.query(
        "SELECT substr(sent_at, 1, 10) AS day, state, count(*) AS n FROM push_outbox"
        " WHERE sent_at IS NOT NULL AND sent_at >= ? GROUP BY substr(sent_at, 1, 10), state ORDER BY day",
        [since],
    ))


def deferred_messages(db: Any, since: str, now: str) -> dict[str | None, tuple[int, int]]:
    """Messages since ``since`` pushed later than made, by cause (``deferred_by``: caps, quiet_hours, None for
    messages planned before causes were recorded): how many, and how many of them are still waiting."""
    rows = db.execute(
        "SELECT deferred_by, count(*), sum(CASE WHEN due_at > ? THEN 1 ELSE 0 END) FROM retention_messages"
        " WHERE created_at >= ? AND due_at > created_at GROUP BY deferred_by",
        [now, since],
    ).fetchall()
    return {row[0]: (row[1] or 0, row[2] or 0) for row in rows}


def sends_between(db: Any, start: str, end: str) -> dict[str, int]:
    """Finished deliveries in [start, end) by state: the anomaly check compares failures and 410s to sends."""
    return {r["state"]: r["n"] for r in db.query(
        "SELECT state, count(*) AS n FROM push_outbox WHERE sent_at >= ? AND sent_at < ? GROUP BY state", [start, end]
    )}


def outbox_depth(db: Any) -> int:
    """Deliveries waiting in the outbox (pending or being sent)."""
    return db.execute("SELECT count(*) FROM push_outbox WHERE state IN ('pending', 'sending')").fetchone()[0]


def audience_size(db: Any, segment: str | None) -> tuple[int, int]:
    """Shoppers in a segment (all scored shoppers for None) and how many of them have a push subscription."""
    where, params = ("WHERE s.segment = ?", [segment]) if segment else ("", [])
    row = db.execute(
        "SELECT count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.user_id = s.user_id)"
        f" THEN 1 ELSE 0 END) FROM retention_scores s {where}",
        params,
    ).fetchone()
    return row[0] or 0, row[1] or 0


def deliveries_by_state(db: Any) -> dict[str, int]:
    """Every outbox row by state (pending, sending, accepted, gone, rejected, failed, dropped): /metrics' outcomes."""
    return {r["state"]: r["n"] for r in db.query("SELECT state, count(*) AS n FROM push_outbox GROUP BY state")}
