"""Milestone badges: first order, reviews, check-in streaks. Each is awarded once and synced as ``badges/{id}``;
the first device that shows it sends ``badges.seen``, so it is announced once, not once per device."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import clock

from . import rules, store, views
from .models import Badge

BADGES: tuple[str, ...] = ("first-order", "first-review", "reviews-5", "streak-7", "streak-30")
STREAKS = {"streak-7": 7, "streak-30": 30}
REVIEWS = {"first-review": 1, "reviews-5": 5}


def to_badge(row: dict) -> Badge:
    """The wire form of a badge row."""
    return Badge(id=row["badge"], earned_at=row["earned_at"], announced_at=row["announced_at"])


def award(db: Any, user_id: int, badge: str, now: datetime) -> bool:
    """Award a badge once (in the caller's transaction) and sync it; whether it is new."""
    if not store.award_badge(db, user_id, badge, clock.iso(now)):
        return False
    views.put_badge(db, user_id, to_badge(store.get_badge(db, user_id, badge)))  # type: ignore[arg-type]
    return True


def streak(days: list[str], today: str) -> int:
    """Consecutive check-in days ending today or yesterday (``days`` newest first, YYYY-MM-DD)."""
    if not days:
        return 0
    expected = date.fromisoformat(today)
    if days[0] != today:
        expected -= timedelta(days=1)
    count = 0
    for day in days:
        if date.fromisoformat(day) != expected:
            break
        count += 1
        expected -= timedelta(days=1)
    return count


def after_order_paid(db: Any, user_id: int, now: datetime) -> list[str]:
    """The first paid order's badge."""
    return ["first-order"] if award(db, user_id, "first-order", now) else []


def after_growth(db: Any, user_id: int, kind: str, now: datetime) -> list[str]:
    """Review and check-in-streak badges a new growth event may have earned."""
    new = []
    if kind == "review":
        count = store.count_reviews(db, user_id)
        new += [b for b, need in REVIEWS.items() if count >= need and award(db, user_id, b, now)]
    elif kind == "checkin":
        run = streak(store.checkin_days(db, user_id, max(STREAKS.values())), rules.day_key(now))
        new += [b for b, need in STREAKS.items() if run >= need and award(db, user_id, b, now)]
    return new


def mark_seen(db: Any, user_id: int, badge: str, now: datetime) -> None:
    """A device announced the badge: record it once and sync, so no other device announces it again."""
    if store.mark_badge_announced(db, user_id, badge, clock.iso(now)):
        views.put_badge(db, user_id, to_badge(store.get_badge(db, user_id, badge)))  # type: ignore[arg-type]
