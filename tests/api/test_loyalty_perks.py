"""Tier perks (free returns, birthday pack), spending growth (cash coupons, lottery draws) and badges."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from loyalty import gifts, growth_shop, ledger, service, store
from loyalty.models import LotteryInput, Prize
from retention.config import RetentionConfig
from retention.run import run_retention
from retention.segments import ShopperFacts
from server.wiring import install
from sync import engine
from sync.limits import SyncLimits
from sync.models import Mutation, PushRequest
from tests.utils import add_product, assert_problem, waits_for_shopper_lock
from tests.loyalty_support import buy, make_user, move, place, shopper, view

NOW = datetime.now(timezone.utc)
LONG_AGO = NOW - timedelta(days=30)


def push(database, user: int, client_id: str, mutations: list[tuple[int, str, dict]]):
    request = PushRequest(client_id=client_id, mutations=[
        Mutation(id=i, name=name, args=msgspec.Raw(msgspec.json.encode(args)), at=0) for i, name, args in mutations])
    return engine.push(database, user, request, SyncLimits(), install().mutators)


def gold_shopper(database) -> int:
    """A shopper made gold by one 2,100 order this month (the accelerated path)."""
    user = make_user(database)
    add_product(database, "BIG", price=210_000, stock=100)
    buy(database, user, {"BIG": 1}, NOW - timedelta(minutes=5))
    assert "gold" == view(database, user)["points"]["tier"]
    return user


def test_the_points_view_carries_the_tiers_perks_and_spendable_growth(fresh_db):
    silver, gold = make_user(fresh_db), gold_shopper(fresh_db)
    service.record_growth(fresh_db, silver, "checkin")
    silver_view, gold_view = view(fresh_db, silver)["points"], view(fresh_db, gold)["points"]
    assert {"tier": "silver", "multiplier": 1.0, "freeReturnsPerYear": 0, "freeReturnsLeft": 0,
            "birthdayPack": {"kind": "points", "points": 200, "value": 0, "currency": None},
            "exclusiveRewards": False} == silver_view["perks"]
    assert (2, 2) == (gold_view["perks"]["freeReturnsPerYear"], gold_view["perks"]["freeReturnsLeft"])
    assert (2, 2_000) == (silver_view["spendableGrowth"], gold_view["spendableGrowth"])


def test_a_gold_shopper_returns_twice_a_year_for_free(fresh_db, client, admin_headers):
    user = gold_shopper(fresh_db)
    add_product(fresh_db, "MUG", price=1_000, stock=100)
    free = []
    for i in range(3):
        order_id = buy(fresh_db, user, {"MUG": 1}, NOW + timedelta(seconds=i))  # (each its own checkout key)
        move(fresh_db, order_id, "fulfilled", NOW)
        refunded = client.post(f"/api/admin/orders/{order_id}/status", headers=admin_headers, json={"status": "refunded"})
        free.append(refunded.json()["freeReturn"])
    assert [True, True, False] == free
    assert 0 == view(fresh_db, user)["points"]["perks"]["freeReturnsLeft"]
    # A refund before fulfilment is not a return: nothing is used.
    order_id = buy(fresh_db, user, {"MUG": 1}, NOW + timedelta(seconds=9))
    move(fresh_db, order_id, "refunded", NOW)
    assert not service.get_order(fresh_db, order_id).free_return


def birthday_run(database, user: int, config=RetentionConfig(quiet_hours=(0, 0))):
    facts = ShopperFacts(user_id=user, last_activity=NOW, birthday=NOW.strftime("%m-%d"))
    return run_retention(database, config, NOW, lambda db, after, limit, now: [facts] if after < user else [],
                         after_commit=None)


def test_the_birthday_pack_comes_once_a_year_by_tier(fresh_db):
    silver = make_user(fresh_db)
    birthday_run(fresh_db, silver)
    birthday_run(fresh_db, silver)
    assert 200 == ledger.balances(fresh_db.read(), silver, NOW)[0]  # available at once, given once
    diamond = make_user(fresh_db)
    add_product(fresh_db, "HUGE", price=210_000, stock=20)
    for i in range(10):                                              # 10 × 2,000 growth (the per-order cap)
        buy(fresh_db, diamond, {"HUGE": 1}, NOW - timedelta(minutes=20 - i))
    assert "diamond" == view(fresh_db, diamond)["points"]["tier"]
    birthday_run(fresh_db, diamond)
    coupons = [c for c in view(fresh_db, diamond, "coupons/").values() if c["rewardId"].startswith("birthday-")]
    assert [(1_500, "EUR", "birthday")] == [(c["value"], c["currency"], c["source"]) for c in coupons]
    order_id = place(fresh_db, diamond, {"HUGE": 1}, NOW, code=coupons[0]["code"])
    assert 1_500 == service.get_order(fresh_db, order_id).discount


def test_the_birthday_pack_comes_on_the_birthday_in_the_shoppers_own_time_zone(fresh_db):
    from retention import facts
    from retention import service as retention_service
    from sync import store as sync_store

    evening = datetime(2026, 6, 10, 20, 0, tzinfo=timezone.utc)  # already 11 June in Tokyo, still 10 June in UTC
    tokyo, nowhere = make_user(fresh_db), make_user(fresh_db)
    retention_service.set_time_zone(fresh_db, tokyo, "Asia/Tokyo", evening)  # what PUT /api/me/time-zone stores
    with fresh_db.write() as db:
        for user in (tokyo, nowhere):
            sync_store.put_view(db, user, "prefs/birthday", "1990-06-11")
    run_retention(fresh_db, RetentionConfig(quiet_hours=(0, 0)), evening, facts.collect, after_commit=None)
    assert (200, 0) == (ledger.balances(fresh_db.read(), tokyo, evening)[0],
                        ledger.balances(fresh_db.read(), nowhere, evening)[0])  # no zone: UTC, not yet


def test_growth_buys_a_cash_coupon_without_costing_the_tier(fresh_db):
    user = gold_shopper(fresh_db)                                    # 2,000 growth (one order's cap)
    client_id = uuid.uuid4().hex
    response = push(fresh_db, user, client_id, [(1, "growth.coupon", {"itemId": "growth-10"}),
                                                (2, "growth.coupon", {"itemId": "growth-20"}),
                                                (3, "growth.coupon", {"itemId": "nope"})])
    assert [(2, "not-enough-growth"), (3, "unknown-item")] == [(e.id, e.code) for e in response.errors]
    points = view(fresh_db, user)["points"]
    assert (2_000 - 850, 2_000, "gold") == (points["spendableGrowth"], points["growth"], points["tier"])
    assert 3 == push(fresh_db, user, client_id, [(1, "growth.coupon", {"itemId": "growth-10"})]).last_mutation_id
    coupons = [c for c in view(fresh_db, user, "coupons/").values() if c["rewardId"] == "growth-10"]
    assert 1 == len(coupons)                                         # the retry bought nothing more
    assert ("growth", 1_000, "EUR") == (coupons[0]["source"], coupons[0]["value"], coupons[0]["currency"])
    add_product(fresh_db, "MUG", price=1_000, stock=100)
    order_id = place(fresh_db, user, {"MUG": 6}, NOW, code=coupons[0]["code"])
    assert (1_000, 5_000) == (service.get_order(fresh_db, order_id).discount, service.get_order(fresh_db, order_id).total)
    try:
        place(fresh_db, user, {"MUG": 6}, NOW + timedelta(seconds=1), code=coupons[0]["code"])
    except Exception as exc:
        assert "used already" in str(exc)
    else:
        raise AssertionError("a used coupon must be refused")


def test_lotteries_publish_their_odds_and_draws_apply_once(fresh_db, client, admin_headers):
    body = {"name": "Spring draw", "cost": 100, "dailyBudget": 10_000, "currency": "EUR", "prizes": [
        {"id": "big", "name": "€20 coupon", "kind": "coupon", "odds": 100, "value": 2_000},
        {"id": "pts", "name": "50 points", "kind": "points", "odds": 4_900, "points": 50}]}
    assert_problem(client.put("/api/admin/lotteries/spring", json=body), 401)
    made = client.put("/api/admin/lotteries/spring", headers=admin_headers, json=body)
    assert 200 == made.status_code, made.text
    assert (5_000, 10_000) == (made.json()["nothingOdds"], made.json()["budgetLeftToday"])
    too_likely = {**body, "prizes": [{**body["prizes"][0], "odds": 6_000}, {**body["prizes"][1], "odds": 5_000}]}
    assert_problem(client.put("/api/admin/lotteries/spring", headers=admin_headers, json=too_likely), 422, "odds")
    twins = {**body, "prizes": [body["prizes"][0], body["prizes"][0]]}
    assert_problem(client.put("/api/admin/lotteries/spring", headers=admin_headers, json=twins), 422, "id")
    assert_problem(client.put("/api/admin/lotteries/spring", headers=admin_headers, json={**body, "extra": 1}), 400)
    assert_problem(client.put("/api/admin/lotteries/spring", headers=admin_headers, json={**body, "cost": 10**12}), 400)
    assert_problem(client.put("/api/admin/lotteries/BAD%20ID", headers=admin_headers, json=body), 400)
    shop = client.get("/api/loyalty/growth-shop").json()
    assert ["spring"] == [lottery["id"] for lottery in shop["lotteries"]]
    assert [100, 4_900] == [p["odds"] for p in shop["lotteries"][0]["prizes"]]
    assert "growth-5" in [c["id"] for c in shop["coupons"]]

    headers, user = shopper(client, "lucky@example.com")
    add_product(fresh_db, "MUG", price=10_000, stock=10)
    buy(fresh_db, user, {"MUG": 3}, LONG_AGO)                       # 300 growth: three draws
    mutations = [{"id": i, "name": "growth.draw", "args": {"lotteryId": "spring"}, "at": 0} for i in (1, 2, 3, 4)]
    client_id = uuid.uuid4().hex
    pushed = [client.post("/api/sync/push", headers=headers, json={"clientId": client_id, "mutations": mutations})
              for _ in range(2)]                                     # pushed twice: drawn once
    assert [200, 200] == [p.status_code for p in pushed]
    assert [(4, "not-enough-growth")] == [(e["id"], e["code"]) for e in pushed[0].json()["errors"]]
    assert ([], 4) == (pushed[1].json()["errors"], pushed[1].json()["lastMutationId"])
    drawn = view(fresh_db, user, "draws/")
    assert 3 == len(drawn) and {d["kind"] for d in drawn.values()} <= {"coupon", "points", "none"}
    assert {"EUR"} == {d["currency"] for d in drawn.values()}        # what a coupon prize's value is in
    assert 3 == len(store.growth_spends(fresh_db.read(), user, "draw"))
    assert 0 == view(fresh_db, user)["points"]["spendableGrowth"]


def test_draws_and_loyalty_coupons_carry_what_names_them_in_any_language(fresh_db):
    """The PWA names prizes and loyalty coupons from kind, value, points and currency (and a coupon's source),
    not from the stored English name; the name stays on the wire for older clients."""
    user = gold_shopper(fresh_db)
    prizes = [Prize(id="cny", name="¥20 coupon", kind="coupon", odds=5_000, value=2_000),
              Prize(id="pts", name="100 points", kind="points", odds=5_000, points=100)]
    with fresh_db.write() as db:
        growth_shop.put_lottery(db, "yuan", LotteryInput(name="幸运抽奖", cost=10, daily_budget=10_000, currency="CNY",
                                                         prizes=prizes), NOW)
        coupon = growth_shop.draw(db, user, "yuan", NOW, rng=lambda n: 0)             # the first prize
        points = growth_shop.draw(db, user, "yuan", NOW, rng=lambda n: 5_000)         # the second
        growth_code = growth_shop.buy_coupon(db, user, "growth-3", NOW)
    drawn = view(fresh_db, user, "draws/")
    assert {"kind": "coupon", "value": 2_000, "currency": "CNY", "prizeName": "¥20 coupon"}.items() \
        <= drawn[f"draws/{coupon.id}"].items()
    assert {"kind": "points", "points": 100, "currency": "CNY"}.items() <= drawn[f"draws/{points.id}"].items()
    rows = view(fresh_db, user, "coupons/")
    assert {"source": "lottery", "value": 2_000, "currency": "CNY", "name": "¥20 coupon"}.items() \
        <= rows[f"coupons/{coupon.coupon_code}"].items()
    assert {"source": "growth", "value": 300, "currency": "EUR", "name": "€3 off"}.items() \
        <= rows[f"coupons/{growth_code}"].items()
    assert {"lottery", "growth"} == {c.source for c in service.coupons(fresh_db, user)}


def test_an_unnamed_prize_is_named_by_the_shop_and_an_operators_name_is_kept(fresh_db):
    """The demo's prizes carry no name (each page names them in the shopper's language); the API's discount label
    says what an unnamed prize's coupon is worth, and a prize the operator named keeps its name everywhere."""
    user = gold_shopper(fresh_db)
    prizes = [Prize(id="plain", kind="coupon", odds=5_000, value=2_000),
              Prize(id="mug", name="Mystery mug", kind="coupon", odds=5_000, value=500)]
    with fresh_db.write() as db:
        growth_shop.put_lottery(db, "names", LotteryInput(name="Names", cost=10, daily_budget=10_000, currency="EUR",
                                                          prizes=prizes), NOW)
        plain = growth_shop.draw(db, user, "names", NOW, rng=lambda n: 0)
        mug = growth_shop.draw(db, user, "names", NOW, rng=lambda n: 5_000)
    assert ("", "Mystery mug") == (plain.prize_name, mug.prize_name)
    rows = view(fresh_db, user, "coupons/")
    assert ("", "Mystery mug") == (rows[f"coupons/{plain.coupon_code}"]["name"], rows[f"coupons/{mug.coupon_code}"]["name"])
    with fresh_db.write() as db:
        assert "€20.00 coupon" == gifts.label(store.loyalty_coupon(db, user, plain.coupon_code))
        assert "Mystery mug" == gifts.label(store.loyalty_coupon(db, user, mug.coupon_code))
    assert all(p.name == "" for p in growth_shop.DEMO_LOTTERY.prizes)

@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_draw_outside_sync_waits_for_the_shoppers_other_writers(fresh_db, settings):
    """A draw reads the spendable growth, then spends it: a sync push on another server spending the same growth
    holds the shopper's lock, and the draw waits for it (never spending growth twice)."""
    user = gold_shopper(fresh_db)
    with fresh_db.write() as db:
        growth_shop.put_lottery(db, "one", LotteryInput(name="One", cost=10, daily_budget=10_000, currency="EUR",
                                                        prizes=[Prize(id="p", name="P", kind="points", odds=1, points=1)]),
                                NOW)
    drawn = waits_for_shopper_lock(settings.database_url, user, lambda: service.draw(fresh_db, user, "one", NOW))
    assert [drawn.id] == [s["id"] for s in store.growth_spends(fresh_db.read(), user, "draw")]


def test_a_draw_on_a_closed_lottery_is_refused(fresh_db):
    user = gold_shopper(fresh_db)
    with fresh_db.write() as db:
        growth_shop.put_lottery(db, "closed", LotteryInput(name="Closed", cost=10, daily_budget=0, currency="EUR",
                                                           prizes=[Prize(id="p", name="P", kind="points", odds=1,
                                                                         points=1)], active=False), NOW)
    response = push(fresh_db, user, uuid.uuid4().hex, [(1, "growth.draw", {"lotteryId": "closed"}),
                                                       (2, "growth.draw", {"lotteryId": "none-such"})])
    assert [(1, "item-unavailable"), (2, "unknown-item")] == [(e.id, e.code) for e in response.errors]


def test_badges_are_awarded_once_and_announced_once(fresh_db):
    user = make_user(fresh_db)
    add_product(fresh_db, "MUG", price=1_000, stock=100)
    buy(fresh_db, user, {"MUG": 1}, NOW)
    buy(fresh_db, user, {"MUG": 1}, NOW + timedelta(seconds=1))
    badge = view(fresh_db, user, "badges/")["badges/first-order"]
    assert ("first-order", None) == (badge["id"], badge["announcedAt"])
    client_id = uuid.uuid4().hex
    push(fresh_db, user, client_id, [(1, "badges.seen", {"badge": "first-order"}),
                                     (2, "badges.seen", {"badge": "not-mine"})])
    seen = view(fresh_db, user, "badges/")["badges/first-order"]["announcedAt"]
    assert seen is not None
    push(fresh_db, user, uuid.uuid4().hex, [(1, "badges.seen", {"badge": "first-order"})])
    assert seen == view(fresh_db, user, "badges/")["badges/first-order"]["announcedAt"]
    for back in range(7, 0, -1):                                     # seven days in a row
        service.record_growth(fresh_db, user, "checkin", now=NOW - timedelta(days=back - 1))
    assert {"badges/first-order", "badges/streak-7"} == set(view(fresh_db, user, "badges/"))
