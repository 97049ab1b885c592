"""Demo data: a points mall of hundreds of rewards and shoppers with believable order and browse histories."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from accounts.service import demo_password_hash
from loyalty import ledger
from loyalty.demo import seed_rewards
from retention.demo import PERSONAS, plan_shoppers, seed_shoppers
from tests.utils import TEST_SCRYPT_N, add_product

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
CATEGORIES = ("coffee", "tea", "kitchen", "outdoor", "audio", "books")


def demo_catalog(database, count: int = 18) -> list[dict]:
    products = []
    for i in range(count):
        row = {"id": f"DEMO-{i:03d}", "category": CATEGORIES[i % len(CATEGORIES)], "price": 500 + 700 * (i % 9),
               "stock": 0 if i % 7 == 6 else 40}
        add_product(database, row["id"], category=row["category"], price=row["price"], stock=row["stock"])
        products.append({**row, "name": f"Product {row['id']}"})
    return products


def test_the_demo_mall_has_hundreds_of_rewards_over_categories_with_tier_prices_and_tier_limits(fresh_db):
    demo_catalog(fresh_db)
    assert seed_rewards(fresh_db, NOW) >= 300
    rows = list(fresh_db.read().query("SELECT * FROM rewards"))
    assert 300 <= len(rows)
    assert 8 <= len({r["category"] for r in rows})
    assert {"gold", "diamond"} == {r["min_tier"] for r in rows if r["min_tier"]}
    priced = [r for r in rows if r["gold_cost"] is not None]
    assert priced and all(r["gold_cost"] <= r["points_cost"] for r in priced)
    assert all(r["diamond_cost"] <= r["gold_cost"] for r in priced if r["diamond_cost"] is not None)
    assert 16 == sum(r["kind"] == "product" for r in rows)  # one per product in stock (2 of 18 are sold out)
    assert 0 == seed_rewards(fresh_db, NOW)  # re-running adds nothing


def test_the_plan_is_the_same_for_the_same_seed_and_spreads_over_every_persona():
    products = [{"id": f"P{i}", "name": f"P{i}", "category": CATEGORIES[i % 6], "price": 990, "stock": 5}
                for i in range(30)]
    first = plan_shoppers(400, products, NOW, seed=3)
    again = plan_shoppers(400, products, NOW, seed=3)
    assert [(s.persona, len(s.orders), sorted(s.views)) for s in first] == \
        [(s.persona, len(s.orders), sorted(s.views)) for s in again]
    personas = Counter(s.persona for s in first)
    assert {name for name, _ in PERSONAS} == set(personas)
    churned = [s for s in first if s.persona == "churned" and s.orders]
    assert churned and all(max(o.placed_at for o in s.orders) < NOW - timedelta(days=100) for s in churned)
    fading = [s for s in first if s.persona == "fading" and len(s.orders) >= 3]
    for s in fading:  # the gaps between orders grow
        times = sorted(o.placed_at for o in s.orders)
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert gaps == sorted(gaps)
    assert {"zh-CN", "en"} == {s.locale for s in first}
    assert any(s.cart for s in first) and any(s.wishlist for s in first)
    assert 0.8 < sum("analytics" in s.consents for s in first) / len(first) < 1


def test_seeded_shoppers_have_orders_points_tiers_and_browse_histories(fresh_db):
    demo_catalog(fresh_db)
    made = seed_shoppers(fresh_db, 60, NOW, password_hash=demo_password_hash("demo-pass", TEST_SCRYPT_N), seed=5)
    assert 60 == made
    read = fresh_db.read()
    assert 60 == read.execute("SELECT count(*) FROM users").fetchone()[0]
    statuses = {r[0] for r in read.execute("SELECT DISTINCT status FROM orders")}
    assert "fulfilled" in statuses and statuses <= {"fulfilled", "paid", "cancelled", "refunded"}
    # Shipped orders were delivered a day later (none before it was shipped); those delivered in the last 7 days
    # can be returned, and their shoppers' devices show it (returnable/{id}), as after a real delivery.
    shipped = list(read.query("SELECT id, user_id, fulfilled_at, delivered_at FROM orders WHERE status = 'fulfilled'"))
    assert shipped and all(o["delivered_at"] and o["delivered_at"] > o["fulfilled_at"] for o in shipped)
    recent = {(o["user_id"], f"returnable/{o['id']}") for o in shipped
              if datetime.fromisoformat(o["delivered_at"]) >= NOW - timedelta(days=7)}
    assert recent and recent == {(r["user_id"], r["key"]) for r in read.query(
        "SELECT user_id, key FROM sync_view WHERE key LIKE 'returnable/%' AND value IS NOT NULL")}
    assert read.execute("SELECT count(DISTINCT user_id) FROM retention_product_views").fetchone()[0] >= 50
    assert read.execute("SELECT count(*) FROM offer_grants WHERE redeemed_at IS NOT NULL").fetchone()[0] > 0
    # The ledger is what the rules make: each paid shopper got the first-order bonus once, no lot went below
    # zero, and every lot past its expiry was written off (the hourly job's work, on the day it expired).
    for (user_id,) in read.execute("SELECT DISTINCT user_id FROM orders WHERE status IN ('paid', 'fulfilled')"):
        lots = ledger.lots(read, user_id).values()
        assert [1000] == [lot.points for lot in lots if lot.kind == "bonus"]
        assert all(lot.remaining >= 0 for lot in lots)
        assert [] == [lot.id for lot in lots if lot.expires_at <= NOW and lot.remaining > 0]
    expired = read.execute("SELECT count(*) FROM points_ledger WHERE kind = 'expire'").fetchone()[0]
    assert expired > 0
    points_rows = read.execute("SELECT count(*) FROM sync_view WHERE key = 'points'").fetchone()[0]
    assert points_rows >= 1
    assert 0 == seed_shoppers(fresh_db, 60, NOW, password_hash="unused", seed=5)  # the same people exist already


def test_a_demo_shopper_signs_in_with_the_demo_password(client, fresh_db):
    demo_catalog(fresh_db, 6)
    seed_shoppers(fresh_db, 2, NOW, password_hash=demo_password_hash("lastmile-demo", TEST_SCRYPT_N))
    response = client.post("/api/auth/login", json={"email": "shopper2@demo.lastmile.invalid",
                                                    "password": "lastmile-demo", "deviceName": "demo"})
    assert 200 == response.status_code, response.text
