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


def minutes_since(db: Any, since_minute: int) -> list[dict]:
    """Counters from ``since_minute`` on, by minute and status (routes summed)."""
    return list(db.query(
        "SELECT minute, status, sum(requests) AS requests, sum(latency_ms) AS latency_ms FROM request_minutes"
        " WHERE minute >= ? GROUP BY minute, status ORDER BY minute", [since_minute],
    ))


def prune(db: Any, before_minute: int) -> int:
    """Forget counters older than ``before_minute``; how many rows."""
    return db.execute("DELETE FROM request_minutes WHERE minute < ?", [before_minute]).rowcount
