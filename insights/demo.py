"""Demo traffic for the dashboard: 90 days of API requests (a few 5xx), their latencies and sync pushes.

A fresh demo database has orders and points but no traffic history, so the API and sync charts of /admin would be
flat. `lastmile seed-demo` writes what a running shop would have left in the shared counters, hour by hour with a
daily rhythm, ending an hour before now so the live alert window (the last 5 minutes) holds only real requests.
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from typing import Any

from insights import store

# (route template, requests in a busy hour, mean milliseconds)
ROUTES = (
    ("GET /api/products", 120, 28.0),
    ("GET /api/products/{product_id:str}", 90, 18.0),
    ("POST /api/sync/push", 45, 42.0),
    ("POST /api/sync/pull", 40, 25.0),
    ("POST /api/orders", 6, 110.0),
)
ERROR_SHARE = 0.001     # 5xx share of requests, below the 0.5 % alert line
SYNC_ERROR_SHARE = 0.01  # mutations rejected for good (unknown SKU, not enough points)
MUTATIONS_PER_PUSH = 3


def seed_traffic(database: Any, now: datetime, days: int = 90, seed: int = 7) -> int:
    """Add ``days`` of hourly request and sync counters up to an hour before ``now``; how many counter rows."""
    rng = random.Random(seed)
    last_hour = int(now.timestamp()) // 3600 - 1
    requests, named = [], []
    for hour in range(last_hour - days * 24 + 1, last_hour + 1):
        # Quiet at night, busy in the evening (UTC hours, as the dashboard's days are UTC days).
        load = 0.25 + 0.75 * (1 + math.sin((hour % 24 - 9) / 24 * 2 * math.pi)) / 2
        minute = hour * 60
        for route, busy, ms in ROUTES:
            n = max(1, round(rng.gauss(busy * load, busy * load * 0.15)))
            errors = sum(1 for _ in range(n) if rng.random() < ERROR_SHARE)
            requests.append((minute, route, 200, n - errors, (n - errors) * ms * rng.uniform(0.85, 1.25)))
            if errors:
                requests.append((minute, route, 500, errors, errors * ms * 4))
            if route == "POST /api/sync/push":
                mutations = n * MUTATIONS_PER_PUSH
                named.append((minute, "sync.mutations", mutations))
                named.append((minute, "sync.errors", sum(1 for _ in range(mutations) if rng.random() < SYNC_ERROR_SHARE)))
    with database.write() as db:
        store.add_counts(db, requests)
        store.add_named(db, named)
    return len(requests) + len(named)
