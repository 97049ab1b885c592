"""SQL of the insights room: HTTP requests counted per minute, route and status, shared by every server process."""

from __future__ import annotations

from typing import Any

DOMAIN = "insights"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "request minutes",
        [
            """CREATE TABLE request_minutes (
                minute INTEGER NOT NULL,             -- unix seconds // 60
                route TEXT NOT NULL,                 -- 'GET /api/products/{product_id:str}'
                status INTEGER NOT NULL,
                requests INTEGER NOT NULL,
                latency_ms REAL NOT NULL,            -- sum over the requests
                PRIMARY KEY (minute, route, status)
            )""",
        ],
    ),
    (
        2,
        "named counters and alert states",
        [
            """CREATE TABLE counter_minutes (
                minute INTEGER NOT NULL,             -- unix seconds // 60
                name TEXT NOT NULL,                  -- 'sync.pushes', 'sync.mutations', 'sync.errors'
                value INTEGER NOT NULL,
                PRIMARY KEY (minute, name)
            )""",
            """CREATE TABLE alert_states (
                name TEXT PRIMARY KEY,               -- 'api_errors', 'push_failures', 'orders_drop'
                raised_at TEXT,                      -- set while the alert is on
                cleared_at TEXT,
                detail TEXT NOT NULL DEFAULT '',
                notified_at TEXT                     -- when the webhook last heard of it
            )""",
        ],
    ),
]


def add_counts(db: Any, rows: list[tuple[int, str, int, int, float]]) -> None:
    """Add (minute, route, status, requests, latency_ms) to the shared counters (several processes add up)."""
    for minute, route, status, requests, latency in rows:
        db.execute(
            "INSERT INTO request_minutes (minute, route, status, requests, latency_ms) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (minute, route, status) DO UPDATE SET requests = request_minutes.requests + excluded.requests,"
            " latency_ms = request_minutes.latency_ms + excluded.latency_ms",
            [minute, route, status, requests, latency],
        )


def prune(db: Any, before_minute: int) -> int:
    """Forget counters older than ``before_minute``; how many rows."""
    return db.execute("DELETE FROM request_minutes WHERE minute < ?", [before_minute]).rowcount


def add_named(db: Any, rows: list[tuple[int, str, int]]) -> None:
    """Add (minute, name, value) to the shared named counters."""
    for minute, name, value in rows:
        db.execute(
            "INSERT INTO counter_minutes (minute, name, value) VALUES (?, ?, ?)"
            " ON CONFLICT (minute, name) DO UPDATE SET value = counter_minutes.value + excluded.value",
            [minute, name, value],
        )


def request_totals(db: Any, since_minute: int, until_minute: int) -> dict:
    """Requests, server errors (5xx) and summed latency in [since, until) minutes, every route."""
    row = db.execute(
        "SELECT COALESCE(sum(requests), 0), COALESCE(sum(CASE WHEN status >= 500 THEN requests ELSE 0 END), 0),"
        " COALESCE(sum(latency_ms), 0) FROM request_minutes WHERE minute >= ? AND minute < ?",
        [since_minute, until_minute],
    ).fetchone()
    return {"requests": int(row[0]), "errors": int(row[1]), "latency_ms": float(row[2])}


def prune_named(db: Any, before_minute: int) -> int:
    """Forget named counters older than ``before_minute``; how many rows."""
    return db.execute("DELETE FROM counter_minutes WHERE minute < ?", [before_minute]).rowcount


def raise_alert(db: Any, name: str, detail: str, now: str) -> bool:
    """Mark ``name`` on; True only for the call that turned it on (so one process notifies, once)."""
    cur = db.execute(
        "INSERT INTO alert_states (name, raised_at, detail) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET raised_at = excluded.raised_at, detail = excluded.detail, cleared_at = NULL"
        " WHERE alert_states.raised_at IS NULL",
        [name, now, detail],
    )
    return cur.rowcount == 1


def clear_alert(db: Any, name: str, now: str) -> bool:
    """Mark ``name`` off; True only for the call that turned it off."""
    cur = db.execute(
        "UPDATE alert_states SET raised_at = NULL, cleared_at = ? WHERE name = ? AND raised_at IS NOT NULL",
        [now, name],
    )
    return cur.rowcount == 1


def mark_notified(db: Any, name: str, now: str) -> None:
    """Remember that the webhook heard of the alert's last change."""
    db.execute("UPDATE alert_states SET notified_at = ? WHERE name = ?", [now, name])


def alert_states(db: Any) -> list[dict]:
    """Every alert's state, by name."""
    return list(db.query("SELECT name, raised_at, cleared_at, detail, notified_at FROM alert_states ORDER BY name"))


def request_days(db: Any, since_minute: int) -> list[dict]:
    """Requests, 5xx answers and summed latency per UTC day (``day`` = unix days) from ``since_minute`` on."""
    return list(db.query(
        "SELECT minute / 1440 AS day, sum(requests) AS requests,"
        " sum(CASE WHEN status >= 500 THEN requests ELSE 0 END) AS errors, sum(latency_ms) AS latency_ms"
        " FROM request_minutes WHERE minute >= ? GROUP BY minute / 1440 ORDER BY day", [since_minute],
    ))


def named_days(db: Any, since_minute: int) -> list[dict]:
    """Named counters summed per UTC day (``day`` = unix days) from ``since_minute`` on."""
    return list(db.query(
        "SELECT minute / 1440 AS day, name, sum(value) AS value FROM counter_minutes WHERE minute >= ?"
        " GROUP BY minute / 1440, name ORDER BY day", [since_minute],
    ))
