"""The loyalty job (`lastmile loyalty run`): matures and expires lots, lists lots expiring soon, reviews tiers,
purges old idempotency keys.

Reads already apply maturation and expiry lazily; the job makes them durable and refreshes the synced
``points`` views of the shoppers they touched, so devices see the change without asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

import clock
from sync import store as sync_store

from . import ledger, rules, store, tiers, views

JOB = "points"
EPOCH = "1970-01-01T00:00:00.000000Z"


@dataclass(frozen=True)
class JobReport:
    """What one run did."""

    users: int
    points_expired: int
    tier_changes: int
    keys_purged: int


def run(database: Any, now: datetime, notify: Callable[[int], None] | None = None) -> JobReport:
    """One pass over shoppers whose lots matured or expired, or whose tier hold ended, since the last run."""
    at = clock.iso(now)
    with database.write() as db:
        since = store.job_mark(db, JOB) or EPOCH
        users = set(store.users_with_lot_dates_between(db, since, at))
        users |= set(store.users_with_expired_remainders(db, at))
        users |= set(store.tier_holds_ending(db, since, at))
        # Lots that entered the "expiring soon" window since the last run: their views must list them.
        soon = timedelta(days=rules.EXPIRING_SOON_DAYS)
        users |= set(store.users_with_expiry_between(
            db, clock.iso(clock.parse(since) + soon), clock.iso(now + soon)))
    expired = changes = 0
    touched: list[int] = []
    for user_id in sorted(users):
        with database.write() as db:
            sync_store.lock_shopper(db, user_id)  # a second runner, or a checkout, waits for this shopper
            expired += ledger.settle(db, user_id, now)
            _, change = tiers.evaluate(db, user_id, now)
            changes += change is not None
            if views.refresh_points(db, user_id, now):
                touched.append(user_id)
    with database.write() as db:
        purged = store.purge_idempotency(db, clock.iso(now - timedelta(hours=rules.IDEMPOTENCY_KEEP_HOURS)))
        store.set_job_mark(db, JOB, at)
    if notify is not None:
        for user_id in touched:
            notify(user_id)
    return JobReport(users=len(users), points_expired=expired, tier_changes=changes, keys_purged=purged)
