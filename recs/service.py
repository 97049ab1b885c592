"""Recommendations as the rest of the shop asks for them: refresh the model (a job), "for you" per shopper.

The model (item neighbours and popularity, recs/store.py) is computed by ``refresh`` from a snapshot and swapped
in by one write transaction, so every server process reads the same model and a request does bounded work: at
most SEEDS of the shopper's items × NEIGHBOURS_PER_ITEM stored rows, plus their own recent history.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from accounts import consents
from catalog import service as catalog_service
from catalog import store as catalog_store
from catalog.models import availability
from clock import iso, parse
from loyalty import store as loyalty_store
from retention import audience_store

from . import similarity, store
from .models import ForYou, ModelInfo
from .similarity import Event

HISTORY_DAYS = 365
"""How far back the model and a shopper's own history look."""
SHOPPER_EVENTS = 500
"""Rows of one shopper's history read per request (their latest)."""
POPULAR_KEPT = 200
CONSENT_CHUNK = 500


def _events(purchases: list[tuple[int, str, str]], views: list[tuple[int, str, str, int]]) -> dict[int, list[Event]]:
    histories: dict[int, list[Event]] = defaultdict(list)
    for user_id, sku, created_at in purchases:
        histories[user_id].append(Event(sku, parse(created_at).timestamp(), "order"))
    for user_id, sku, day, count in views:
        histories[user_id].append(Event(sku, parse(day).timestamp() + 43_200, "view", count))  # midday of that day
    return histories


def _analytics_consenting(db: Any, user_ids: list[int]) -> set[int]:
    agreed: set[int] = set()
    for start in range(0, len(user_ids), CONSENT_CHUNK):
        agreed |= consents.agreed(db, user_ids[start:start + CONSENT_CHUNK], consents.ANALYTICS)
    return agreed


def training_histories(db: Any, now: datetime) -> dict[int, list[Event]]:
    """Every shopper's orders of the last HISTORY_DAYS (kept ones: the data "bought together" already uses), and
    the product views of shoppers who agreed to analytics."""
    since = now - timedelta(days=HISTORY_DAYS)
    purchases = loyalty_store.purchases(db, iso(since))
    views = audience_store.product_view_days(db, since.date().isoformat())
    agreed = _analytics_consenting(db, sorted({row[0] for row in views}))
    return _events(purchases, [row for row in views if row[0] in agreed])


def refresh(database: Any, now: datetime) -> ModelInfo:
    """Recompute the neighbours and popularity from the shop's history and swap them in (run hourly or daily)."""
    with database.snapshot() as db:
        histories = training_histories(db, now)
    near = similarity.neighbours(histories)
    popular = similarity.popularity(histories, now.timestamp())[:POPULAR_KEPT]
    with database.write() as db:
        store.replace_model(db, near, popular, iso(now), len(histories))
    return ModelInfo(shoppers=len(histories), items=len(near), popular=len(popular))


def shopper_history(db: Any, user_id: int, now: datetime) -> list[Event]:
    """One shopper's own recent orders and views (bounded)."""
    since = now - timedelta(days=HISTORY_DAYS)
    purchases = loyalty_store.purchases(db, iso(since), user_id=user_id, limit=SHOPPER_EVENTS)
    views = audience_store.product_view_days(db, since.date().isoformat(), user_id=user_id, limit=SHOPPER_EVENTS)
    return _events(purchases, views).get(user_id, [])


def for_you(db: Any, user_id: int, now: datetime, limit: int) -> ForYou:
    """The shopper's "for you": items like the ones they bought and viewed, weighted by how recently and how often,
    without what they bought already; popular items fill up. Only with their consent to analytics is their
    history used; without it (or with no history) the list is the popular one. Sold-out items are left out."""
    history = shopper_history(db, user_id, now) if consents.has(db, user_id, consents.ANALYTICS) else []
    bought = {event.sku for event in history if event.kind == "order"}
    strongest = similarity.seeds(history, now.timestamp())
    near = store.neighbours_of(db, [sku for sku, _ in strongest])
    popular = store.popular(db, 3 * limit + len(bought))
    ranked, personal = similarity.rank(strongest, near, popular, bought, 2 * limit)
    rows = catalog_store.get_products(db, ranked)  # stock first: images are read only for the items shown
    shown = [sku for sku in ranked if sku in rows and availability(rows[sku]["stock"]) != "out_of_stock"][:limit]
    items = catalog_service.summaries(db, shown)
    personal_ids = set(ranked[:personal])
    basis = "history" if any(item.id in personal_ids for item in items) else "popular"
    return ForYou(items=items, basis=basis)
