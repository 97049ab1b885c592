"""Operator reads of the loyalty room's tables: order listings and the dashboard's daily aggregates.

Times are ISO-8601 UTC text, so a day is the first 10 characters and a month the first 7 (portable SQL: substr).
"""

from __future__ import annotations

from typing import Any

REVENUE_STATUSES = ("paid", "fulfilled")  # money kept: refunded and cancelled orders bring none


def recent_orders(db: Any, status: str | None, before: int | None, limit: int) -> list[dict]:
    """Every shopper's orders, newest first, optionally of one status, with ids below ``before``."""
    sql = ("SELECT id, user_id, status, currency, total, discount, payment_method, delivered_at, created_at, updated_at,"
           " pickup_point FROM orders WHERE id < ?")
    params: list = [before if before is not None else 2**62]
    if status:
        sql += " AND status = ?"
        params.append(status)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return list(db.query(sql, params))


def daily_orders(db: Any, since: str) -> list[dict]:
    """Per day since ``since`` (ISO): orders placed (not cancelled), revenue kept, and distinct buyers (of those)."""
    return list(db.query(
        "SELECT substr(created_at, 1, 10) AS day,"
        " sum(CASE WHEN status != 'cancelled' THEN 1 ELSE 0 END) AS orders,"
        " sum(CASE WHEN status IN ('paid', 'fulfilled') AND paid_at IS NOT NULL THEN total ELSE 0 END) AS revenue,"
        " sum(CASE WHEN status IN ('paid', 'fulfilled') AND paid_at IS NOT NULL THEN 1 ELSE 0 END) AS paid,"
        " count(DISTINCT CASE WHEN status != 'cancelled' THEN user_id END) AS buyers"  # a cancelled order buys nothing
        " FROM orders WHERE created_at >= ? GROUP BY substr(created_at, 1, 10) ORDER BY day",
        [since],
    ))


def buyer_months(db: Any, since: str) -> list[dict]:
    """Each (shopper, month) with at least one kept order since ``since``: cohorts and repurchase come from it."""
    return list(db.query(
        "SELECT user_id, substr(created_at, 1, 7) AS month, count(*) AS orders FROM orders"
        " WHERE created_at >= ? AND status IN ('placed', 'paid', 'fulfilled')"
        " GROUP BY user_id, substr(created_at, 1, 7)",
        [since],
    ))


def buyer_days(db: Any, since: str) -> list[dict]:
    """Each (shopper, day) with at least one kept order since ``since``: the daily share of returning buyers."""
    return list(db.query(
        "SELECT DISTINCT user_id, substr(created_at, 1, 10) AS day FROM orders"
        " WHERE created_at >= ? AND status IN ('placed', 'paid', 'fulfilled')",
        [since],
    ))


def first_order_months(db: Any, user_ids: list[int]) -> dict[int, str]:
    """Each shopper's first order month ever (their cohort), for the given shoppers."""
    return _first_orders(db, user_ids, 7)


def first_order_days(db: Any, user_ids: list[int]) -> dict[int, str]:
    """Each shopper's first order day ever (ISO date), for the given shoppers."""
    return _first_orders(db, user_ids, 10)


def _first_orders(db: Any, user_ids: list[int], width: int) -> dict[int, str]:
    result: dict[int, str] = {}
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        marks = ",".join("?" for _ in chunk)
        for row in db.query(
            f"SELECT user_id, min(substr(created_at, 1, ?)) AS first FROM orders WHERE user_id IN ({marks})"
            " AND status IN ('placed', 'paid', 'fulfilled') GROUP BY user_id", [width, *chunk],
        ):
            result[row["user_id"]] = row["first"]
    return result


def daily_points(db: Any, since: str) -> list[dict]:
    """Per day and ledger kind since ``since``: the points moved (earned and bonus positive, the rest negative)."""
    return list(db.query(
        "SELECT substr(at, 1, 10) AS day, kind, sum(points) AS points FROM points_ledger WHERE at >= ?"
        " GROUP BY substr(at, 1, 10), kind ORDER BY day",
        [since],
    ))


def orders_between(db: Any, start: str, end: str) -> int:
    """Orders placed in [start, end) (ISO times), cancelled ones included: the anomaly check counts demand."""
    return db.execute("SELECT count(*) FROM orders WHERE created_at >= ? AND created_at < ?", [start, end]).fetchone()[0]


def recent_orders_of(db: Any, user_id: int, limit: int) -> list[dict]:
    """One shopper's latest orders."""
    return list(db.query(
        "SELECT id, status, currency, total, created_at FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ?",
        [user_id, limit],
    ))
