"""`lastmile retention run|report` and `lastmile push test` on a real database, and facts from the other rooms."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from accounts import consents
from accounts import store as accounts_store
from retention import audience_store, facts
from server.cli.main import main
from server.push_runtime import push_runtime
from sync import store as sync_store
from tests.push_double import PushDouble
from tests.push_subscriptions import subscribe
from tests.utils import add_product

NOW = datetime.now(timezone.utc)


def make_user(database, email: str, created: datetime) -> int:
    """A shopper who agreed to every purpose."""
    with database.write() as db:
        user_id = accounts_store.create_user(db, email, "not-a-hash", int(created.timestamp()))
        for purpose in consents.PURPOSES:
            consents.record(db, user_id, purpose, True, int(created.timestamp() * 1000))
        return user_id


def test_facts_come_from_every_room(fresh_db):
    add_product(fresh_db, "LAMP", price=4_500)
    uid = make_user(fresh_db, "f@example.com", NOW - timedelta(days=400))
    added = int((NOW - timedelta(hours=3)).timestamp() * 1000)
    with fresh_db.write() as db:
        sync_store.put_view(db, uid, "cart/LAMP", {"sku": "LAMP", "qty": 1, "addedAt": added})
        sync_store.put_view(db, uid, "wishlist/LAMP", {"sku": "LAMP", "addedAt": added})
        sync_store.put_view(db, uid, "prefs/birthday", "1990-02-14")
        sync_store.put_view(db, uid, "points", {"balance": 900, "tier": "gold", "expiring": [{"points": 300, "expiresAt": "2099-01-01T00:00:00Z"}]})
        audience_store.upsert_profile(db, uid, "x", time_zone="Asia/Tokyo", locale="ja")
        # Views are kept per day and count as activity at that day's start: the cart's day keeps the cart latest.
        audience_store.add_views(db, uid, (NOW - timedelta(hours=3)).date().isoformat(), 12, 500)
    [f] = facts.collect(fresh_db.read(), 0, 10, NOW)
    assert (uid, [("LAMP", datetime.fromtimestamp(added / 1000, tz=timezone.utc))], {"LAMP": 4_500}) == (f.user_id, f.cart, f.wishlist_prices)
    assert ("1990-02-14", "gold", "Asia/Tokyo", "ja", 12) == (f.birthday, f.tier, f.time_zone, f.locale, f.views)
    assert [300] == [p for p, _ in f.points_expiring]
    assert f.last_activity == f.cart[0][1]
    assert [] == facts.collect(fresh_db.read(), uid, 10, NOW)


@pytest.fixture
def env(monkeypatch, settings):
    with PushDouble(push_runtime(settings).public_key) as double:
        monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("LASTMILE_ADMIN_TOKEN", settings.admin_token)
        monkeypatch.setenv("LASTMILE_PUSH_TEST_ORIGINS", double.origin)
        monkeypatch.setenv("LASTMILE_QUIET_HOURS", "0-0")
        yield double


def test_run_report_and_push_test(env, fresh_db, capsys):
    double = env
    uid = make_user(fresh_db, "cart@example.com", NOW - timedelta(days=3))
    _, sub = subscribe(fresh_db, double, uid)
    add_product(fresh_db, "MUG", price=1_000)
    with fresh_db.write() as db:
        sync_store.put_view(db, uid, "cart/MUG", {"sku": "MUG", "qty": 2, "addedAt": int((NOW - timedelta(hours=5)).timestamp() * 1000)})
    assert 0 == main(["retention", "run", "--quiet"])
    out = capsys.readouterr().out
    assert "1 shoppers" in out and "cart_abandoned 1" in out and "1 accepted" in out
    [got] = double.for_subscription(sub)
    assert "Your cart is waiting" == json.loads(got.payload)["title"]
    assert 0 == main(["retention", "run", "--quiet"])  # nothing new the second time
    assert "new messages: none" in capsys.readouterr().out
    assert 1 == len(double.for_subscription(sub))
    assert 0 == main(["retention", "report"])
    assert "(triggers)" in capsys.readouterr().out
    assert 0 == main(["push", "test", "--email", "CART@example.com"])
    assert "1 of 1 devices accepted" in capsys.readouterr().out
    assert "Test notification" == json.loads(double.for_subscription(sub)[-1].payload)["title"]
    assert 2 == main(["push", "test", "--email", "nobody@example.com"])
