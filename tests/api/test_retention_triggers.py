"""The new triggers end to end: from what the rooms store (product views, wishlist, catalog stock and arrivals,
orders shipped and delivered) through the real fact collector to queued messages; the pure rules are in
tests/unit/test_retention_new_triggers.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from accounts.consents import PURPOSES
from catalog import store as catalog_store
from clock import iso
from loyalty import service as loyalty_service
from retention import facts
from retention.config import RetentionConfig
from retention.run import run_retention
from retention.tracking import record_product_views
from sync import consent
from sync import store as sync_store
from tests.loyalty_support import buy, make_user, move
from tests.utils import add_product

NOW = datetime.now(timezone.utc).replace(microsecond=0)
CONFIG = RetentionConfig(quiet_hours=(0, 0), cap_per_day=50, cap_per_week=100)


def triggers_of(database, user_id: int) -> list[str]:
    return sorted(r["trigger"] for r in database.read().query(
        "SELECT trigger FROM retention_messages WHERE user_id = ?", [user_id]))


def test_browse_abandon_back_in_stock_new_arrivals_and_order_updates_fire_from_stored_data(fresh_db):
    add_product(fresh_db, "TEA", category="tea", price=2_000, stock=50)
    add_product(fresh_db, "POT", category="tea", price=3_000, stock=50)
    add_product(fresh_db, "MUG", category="kitchen", price=1_500, stock=0)
    user = make_user(fresh_db)
    with fresh_db.write() as db:
        for purpose in PURPOSES:
            consent.record(db, user, purpose, True, 1_000)
        sync_store.put_view(db, user, "wishlist/MUG", {"sku": "MUG", "addedAt": 1_000})
        record_product_views(db, user, NOW.date().isoformat(), {"POT": 4})  # looked at again and again, never bought
    for weeks in (12, 9, 6, 3):  # a tea regular: four orders, the repurchases that make `high-repurchase`
        buy(fresh_db, user, {"TEA": 1}, NOW - timedelta(weeks=weeks))
    shipped = buy(fresh_db, user, {"TEA": 1}, NOW - timedelta(days=3))
    move(fresh_db, shipped, "fulfilled", NOW - timedelta(hours=5))
    delivered = buy(fresh_db, user, {"TEA": 1}, NOW - timedelta(days=4))
    move(fresh_db, delivered, "fulfilled", NOW - timedelta(days=3))
    loyalty_service.mark_delivered(fresh_db, delivered, NOW - timedelta(hours=2), hold_days=7)

    run_retention(fresh_db, CONFIG, NOW, facts.collect, after_commit=None)  # the first run sees the catalog as old
    assert ["browse_abandon", "order_delivered", "order_shipped"] == triggers_of(fresh_db, user)

    with fresh_db.write() as db:
        catalog_store.set_stock(db, "MUG", 20, iso(NOW))                 # the wishlist line is back
    add_product(fresh_db, "MATCHA", category="tea", price=2_500, stock=30)  # new in the shopper's category
    run_retention(fresh_db, CONFIG, NOW + timedelta(hours=1), facts.collect, after_commit=None)
    assert ["back_in_stock", "browse_abandon", "new_arrivals", "order_delivered", "order_shipped"] == \
        triggers_of(fresh_db, user)
    run_retention(fresh_db, CONFIG, NOW + timedelta(hours=2), facts.collect, after_commit=None)
    assert 5 == len(triggers_of(fresh_db, user))  # each fires once
