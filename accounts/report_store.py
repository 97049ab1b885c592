"""Operator reads of the accounts room's tables: a shopper's devices, active shoppers and devices."""

from __future__ import annotations

from typing import Any


def shopper_devices(db: Any, user_id: int) -> list[dict]:
    """A shopper's signed-in devices, most recently used first."""
    return list(db.query(
        "SELECT id, name, created_at, last_used_at FROM devices WHERE user_id = ? ORDER BY last_used_at DESC", [user_id]
    ))


def active_counts(db: Any, since: int) -> tuple[int, int]:
    """Shoppers and devices whose token was used since ``since`` (unix seconds)."""
    row = db.execute(
        "SELECT count(DISTINCT user_id), count(*) FROM devices WHERE last_used_at >= ?", [since]
    ).fetchone()
    return row[0], row[1]


def daily_active(db: Any, since_day: int) -> list[dict]:
    """Per UTC day (unix days) from ``since_day``: shoppers and devices that were used that day."""
    return list(db.query(
        "SELECT day, count(DISTINCT user_id) AS shoppers, count(*) AS devices FROM device_days WHERE day >= ?"
        " GROUP BY day ORDER BY day", [since_day]))


def shopper_total(db: Any) -> tuple[int, int]:
    """All shoppers and all signed-in devices."""
    users = db.execute("SELECT count(*) FROM users").fetchone()[0]
    devices = db.execute("SELECT count(*) FROM devices").fetchone()[0]
    return users, devices
