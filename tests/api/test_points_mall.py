"""The points mall: rewards API, admin CRUD, and `points.redeem` through sync under concurrency and retries."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from loyalty import ledger, service, store
from loyalty.models import RewardInput
from server.wiring import install
from sync import engine
from sync.limits import SyncLimits
from sync.models import Mutation, PushRequest
from tests.loyalty_support import buy, make_user, move, order, place, shopper, view
from tests.utils import add_product, assert_problem, race, servers, start_and_join, while_held

NOW = datetime.now(timezone.utc)
LONG_AGO = NOW - timedelta(days=30)


def reward(database, reward_id: str, cost: int, stock: int) -> None:
    service.create_reward(database, RewardInput(id=reward_id, name=reward_id.title(), kind="coupon", points_cost=cost,
                                                stock=stock, value=100, currency="EUR"))


def rich_shopper(database, units: int = 0) -> int:
    """A shopper with 1,000 bonus points plus ``units`` more, all available now."""
    user = make_user(database)
    add_product(database, "GIFT", price=100, stock=10_000)
    buy(database, user, {"GIFT": max(1, units)}, LONG_AGO)
    return user


def push(database, user: int, client_id: str, mutations: list[tuple[int, str]]):
    request = PushRequest(client_id=client_id, mutations=[
        Mutation(id=i, name="points.redeem", args=msgspec.Raw(msgspec.json.encode({"rewardId": r})), at=0)
        for i, r in mutations
    ])
    return engine.push(database, user, request, SyncLimits(), install().mutators)


def test_many_devices_redeeming_at_once_never_overdraw_or_oversell(fresh_db):
    user = rich_shopper(fresh_db, units=1)                           # 1,001 points
    reward(fresh_db, "cap", cost=300, stock=2)                       # stock is the limit for "cap"
    reward(fresh_db, "pin", cost=100, stock=50)                      # the balance is the limit for "pin"
    clients = [uuid.uuid4().hex for _ in range(12)]
    barrier = threading.Barrier(len(clients))
    responses = []

    def device(client_id: str, n: int) -> None:
        barrier.wait()
        responses.append(push(fresh_db, user, client_id, [(1, "cap"), (2, "pin"), (3, "pin")]))

    threads = [threading.Thread(target=device, args=(c, n)) for n, c in enumerate(clients)]
    start_and_join(threads)
    db = fresh_db.read()
    redemptions = db.execute("SELECT reward_id, COUNT(*) FROM redemptions GROUP BY reward_id").fetchall()
    made = dict(redemptions)
    assert 2 == made["cap"]                                          # never oversold
    assert 1_001 - 600 == 100 * made["pin"] + (1_001 - 600) % 100    # every point that could be spent was
    balance, _, _ = ledger.balances(db, user, NOW)
    assert 1 == balance
    assert (0, 50 - made["pin"]) == (store.get_reward(db, "cap")["stock"], store.get_reward(db, "pin")["stock"])
    with fresh_db.write() as wdb:
        assert balance == store.ledger_sum(wdb, user)
    # Every push finished (3 mutations each) and every refusal sits in the client's errors.
    assert {3} == {r.last_mutation_id for r in responses}
    refused = sum(len(r.errors) for r in responses)
    assert 3 * len(clients) - 2 - made["pin"] == refused
    assert {"reward-unavailable", "not-enough-points"} == {e.code for r in responses for e in r.errors}
    assert 2 + made["pin"] == len(view(fresh_db, user, "coupons/"))
    assert 1 == view(fresh_db, user)["points"]["balance"]


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_operators_adding_one_reward_at_once_on_many_servers_make_it_once(fresh_db, settings):
    """The id is claimed by the insert itself: every other server hears "duplicate" (409), none fails on the
    unique key (500) after a check that saw no reward yet."""
    with servers(fresh_db, settings, 6) as databases:  # the unique key's error would show as its class name
        outcomes = race(databases, lambda database, n: reward(database, "mug", cost=100, stock=5))
    assert ["DuplicateReward"] * 5 + ["done"] == sorted(outcomes)
    assert 5 == store.get_reward(fresh_db.read(), "mug")["stock"]


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_deleting_a_reward_while_it_is_redeemed_keeps_it_on_record(fresh_db, settings):
    """A redemption on another server has taken stock but not committed when an operator deletes the reward: the
    delete waits and then refuses (409), instead of seeing nobody redeemed it and failing on the foreign key."""
    from loyalty.errors import RewardUnavailable
    from server.postgres import PostgresDatabase

    user = make_user(fresh_db)
    reward(fresh_db, "cap", cost=300, stock=5)
    outcome = []

    def delete() -> None:
        try:
            service.delete_reward(fresh_db, "cap")
            outcome.append("deleted")
        except RewardUnavailable:
            outcome.append("refused")
        except Exception as exc:
            outcome.append(type(exc).__name__)

    other = PostgresDatabase(settings.database_url, max_size=1)
    deleting = threading.Thread(target=delete)
    with other.write() as db:  # mall.redeem's writes, held open while the operator deletes
        assert store.take_reward_stock(db, "cap")
        store.insert_redemption(db, {"user_id": user, "reward_id": "cap", "points": 300, "code": "PM-RACE",
                                     "client_id": None, "mutation_id": None, "at": NOW.isoformat()})
        deleting.start()
        deleting.join(0.5)
    deleting.join(30)
    other.close()
    assert ["refused"] == outcome
    assert 4 == store.get_reward(fresh_db.read(), "cap")["stock"]


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_reward_deleted_twice_at_once_is_unknown_to_the_second_delete(fresh_db, settings):
    """Another operator's delete of the same reward is committing: the second delete waits on the row, then finds
    no reward (404), not a "redeemed, withdraw it instead" refusal (409) for a reward nobody redeemed."""
    from loyalty.errors import UnknownReward

    reward(fresh_db, "cap", cost=300, stock=5)
    outcome = while_held(settings.database_url, lambda db: store.delete_reward(db, "cap"),  # the first delete
                         lambda: service.delete_reward(fresh_db, "cap"))
    assert UnknownReward.__name__ == outcome
    assert store.get_reward(fresh_db.read(), "cap") is None


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_two_patches_at_once_are_checked_against_each_other(fresh_db, settings):
    """Lowering the gold price while another operator's raise of the diamond price commits: the second patch is
    checked against the first one's result, never leaving diamond members paying more than gold ones."""
    from loyalty.errors import BadReward
    from loyalty.models import RewardPatch
    from server.postgres import PostgresDatabase

    service.create_reward(fresh_db, RewardInput(id="cap", name="Cap", kind="coupon", points_cost=1_000, stock=5,
                                                value=100, currency="EUR", gold_cost=900, diamond_cost=800))
    outcome = []

    def raise_diamond() -> None:
        try:
            service.update_reward(fresh_db, "cap", RewardPatch(diamond_cost=850))
            outcome.append("saved")
        except BadReward as exc:
            outcome.append(type(exc).__name__)

    other, thread = PostgresDatabase(settings.database_url, max_size=1), threading.Thread(target=raise_diamond)
    with other.write():  # the first operator's patch: gold down to 820
        service.update_reward(other, "cap", RewardPatch(gold_cost=820))
        thread.start()
        thread.join(0.5)
    thread.join(30)
    other.close()
    assert ["BadReward"] == outcome
    row = store.get_reward(fresh_db.read(), "cap")
    assert (820, 800) == (row["gold_cost"], row["diamond_cost"])


def test_retried_push_redeems_once(fresh_db):
    user = rich_shopper(fresh_db)
    reward(fresh_db, "cap", cost=300, stock=10)
    client_id = uuid.uuid4().hex
    for _ in range(3):
        assert 1 == push(fresh_db, user, client_id, [(1, "cap")]).last_mutation_id
    assert 1 == len(view(fresh_db, user, "coupons/"))
    assert 701 == ledger.balances(fresh_db.read(), user, NOW)[0]


def test_refusals_land_in_errors(fresh_db):
    user = rich_shopper(fresh_db)
    reward(fresh_db, "car", cost=50_000, stock=1)
    reward(fresh_db, "gone", cost=10, stock=0)
    client_id = uuid.uuid4().hex
    response = push(fresh_db, user, client_id, [(1, "car"), (2, "gone"), (3, "nope")])
    assert [(1, "not-enough-points"), (2, "reward-unavailable"), (3, "unknown-reward")] == [
        (e.id, e.code) for e in response.errors
    ]
    assert 3 == response.last_mutation_id
    assert 1_001 == ledger.balances(fresh_db.read(), user, NOW)[0]


def test_pending_points_cannot_be_redeemed(fresh_db):
    user = make_user(fresh_db)
    add_product(fresh_db, "GIFT", price=100, stock=10)
    buy(fresh_db, user, {"GIFT": 1}, NOW - timedelta(days=1))       # still on hold
    reward(fresh_db, "pin", cost=100, stock=5)
    response = push(fresh_db, user, uuid.uuid4().hex, [(1, "pin")])
    assert ["not-enough-points"] == [e.code for e in response.errors]


def test_redeem_over_http_push_and_the_rewards_api(client, fresh_db, admin_headers):
    headers, user = shopper(client, "mall@example.com")
    add_product(fresh_db, "GIFT", price=100, stock=10)
    buy(fresh_db, user, {"GIFT": 1}, LONG_AGO)
    body = {"id": "tote", "name": "Tote bag", "kind": "coupon", "pointsCost": 400, "stock": 1, "value": 300,
            "currency": "EUR"}
    assert_problem(client.post("/api/admin/rewards", headers=headers, json=body), 401)
    assert 201 == client.post("/api/admin/rewards", headers=admin_headers, json=body).status_code
    assert_problem(client.post("/api/admin/rewards", headers=admin_headers, json=body), 409, "tote")
    assert_problem(client.post("/api/admin/rewards", headers=admin_headers, json={**body, "id": "x", "value": 0}), 422)
    assert_problem(client.post("/api/admin/rewards", headers=admin_headers,
                               json={**body, "id": "y", "kind": "product", "sku": "NOPE", "value": 0,
                                     "currency": None}), 422, "NOPE")
    listed = client.get("/api/rewards").json()["items"]
    assert [("tote", 400, 1)] == [(r["id"], r["pointsCost"], r["stock"]) for r in listed]
    client_id = uuid.uuid4().hex
    mutation = {"id": 1, "name": "points.redeem", "args": {"rewardId": "tote"}, "at": 0}
    pushed = client.post("/api/sync/push", headers=headers, json={"clientId": client_id, "mutations": [mutation]})
    assert 200 == pushed.status_code, pushed.text
    assert [] == pushed.json()["errors"]
    assert 0 == client.get("/api/rewards").json()["items"][0]["stock"]
    coupons = client.get("/api/loyalty/coupons", headers=headers).json()
    assert [("tote", None, "mall")] == [(c["rewardId"], c["usedOrderId"], c["source"]) for c in coupons]
    assert 601 == client.get("/api/loyalty/points", headers=headers).json()["balance"]
    # Withdrawn rewards leave the mall but stay in the admin list.
    patched = client.patch("/api/admin/rewards/tote", headers=admin_headers, json={"active": False, "stock": 5})
    assert (False, 5) == (patched.json()["active"], patched.json()["stock"])
    assert [] == client.get("/api/rewards").json()["items"]
    assert ["tote"] == [r["id"] for r in client.get("/api/admin/rewards", headers=admin_headers).json()["items"]]
    assert_problem(client.patch("/api/admin/rewards/nope", headers=admin_headers, json={"stock": 1}), 404)


def test_checkin_over_http(client):
    headers, _ = shopper(client, "daily@example.com")
    first = client.post("/api/loyalty/checkin", headers=headers)
    assert (200, 2) == (first.status_code, first.json()["growthAdded"])
    assert_problem(client.post("/api/loyalty/checkin", headers=headers), 409, "checkin")
    assert_problem(client.post("/api/loyalty/reviews", headers=headers, json={"sku": "MUG"}), 422, "MUG")
    assert_problem(client.post("/api/loyalty/shares", headers=headers, json={"sku": "bad sku!"}), 400)
    assert 401 == client.post("/api/loyalty/checkin").status_code
    points = client.get("/api/loyalty/points", headers=headers).json()
    assert {"balance": 0, "pending": 0, "tier": "silver", "growth": 2, "nextTier": "gold", "growthToNext": 4_998} == {
        k: points[k] for k in ("balance", "pending", "tier", "growth", "nextTier", "growthToNext")
    }


def test_deleting_rewards(client, fresh_db, admin_headers):
    body = {"id": "spare", "name": "Spare", "kind": "coupon", "pointsCost": 10, "stock": 1, "value": 100, "currency": "EUR"}
    client.post("/api/admin/rewards", headers=admin_headers, json=body)
    assert 204 == client.delete("/api/admin/rewards/spare", headers=admin_headers).status_code
    assert_problem(client.delete("/api/admin/rewards/spare", headers=admin_headers), 404)
    user = rich_shopper(fresh_db)
    reward(fresh_db, "kept", cost=10, stock=5)
    service.redeem(fresh_db, user, "kept")
    assert_problem(client.delete("/api/admin/rewards/kept", headers=admin_headers), 409, "active")
    assert_problem(client.delete("/api/admin/rewards/kept"), 401)


def test_checkout_reaches_other_devices_through_pull(client, fresh_db, admin_headers):
    headers, user = shopper(client, "pull@example.com")
    add_product(fresh_db, "GIFT", price=100, stock=10)
    phone, laptop = uuid.uuid4().hex, uuid.uuid4().hex
    add = {"id": 1, "name": "cart.add", "args": {"sku": "GIFT", "qty": 2}, "at": 0}
    assert 200 == client.post("/api/sync/push", headers=headers, json={"clientId": phone, "mutations": [add]}).status_code
    first = client.post("/api/sync/pull", headers=headers, json={"clientId": laptop, "cookie": None}).json()
    assert any(op.get("key") == "cart/GIFT" for op in first["patch"])
    order = client.post("/api/orders", headers={**headers, "Idempotency-Key": "pull-1"}).json()
    client.post(f"/api/admin/orders/{order['id']}/status", headers=admin_headers, json={"status": "paid"})
    patch = client.post("/api/sync/pull", headers=headers, json={"clientId": laptop, "cookie": first["cookie"]}).json()["patch"]
    ops = {op["key"]: op for op in patch if "key" in op}
    assert "del" == ops["cart/GIFT"]["op"]
    assert ("paid", 2) == (ops[f"orders/{order['id']}"]["value"]["status"], ops[f"orders/{order['id']}"]["value"]["items"])
    assert (0, 1_002, "silver") == tuple(ops["points"]["value"][k] for k in ("balance", "pending", "tier"))


def test_tier_prices_and_tier_limits_follow_the_shoppers_tier(fresh_db, client, admin_headers):
    silver = rich_shopper(fresh_db, units=1)
    gold = make_user(fresh_db)
    add_product(fresh_db, "BIG", price=210_000, stock=10)  # 2,100 in one month: the accelerated path to gold
    buy(fresh_db, gold, {"BIG": 1}, LONG_AGO)
    assert "gold" == view(fresh_db, gold)["points"]["tier"]
    service.create_reward(fresh_db, RewardInput(id="member", name="Member price", kind="coupon", points_cost=900,
                                                gold_cost=600, diamond_cost=500, stock=10, value=500,
                                                currency="EUR", category="tea"))
    service.create_reward(fresh_db, RewardInput(id="lounge", name="Gold lounge", kind="coupon", points_cost=100,
                                                min_tier="gold", stock=10, value=200, currency="EUR"))
    silver_push = push(fresh_db, silver, uuid.uuid4().hex, [(1, "lounge"), (2, "member")])
    assert [(1, "tier-too-low")] == [(e.id, e.code) for e in silver_push.errors]
    assert 1_001 - 900 == ledger.balances(fresh_db.read(), silver, NOW)[0]
    before = ledger.balances(fresh_db.read(), gold, NOW)[0]
    assert [] == push(fresh_db, gold, uuid.uuid4().hex, [(1, "lounge"), (2, "member")]).errors
    assert before - 100 - 600 == ledger.balances(fresh_db.read(), gold, NOW)[0]
    tea = client.get("/api/rewards?category=tea").json()["items"]
    assert [("member", 900, 600, 500, "tea")] == [
        (r["id"], r["pointsCost"], r["goldCost"], r["diamondCost"], r["category"]) for r in tea]
    bad = {"id": "odd", "name": "Odd", "kind": "coupon", "pointsCost": 100, "goldCost": 200, "stock": 1, "value": 100,
           "currency": "EUR"}
    assert_problem(client.post("/api/admin/rewards", headers=admin_headers, json=bad), 422, "goldCost")
    assert_problem(client.post("/api/admin/rewards", headers=admin_headers, json={**bad, "goldCost": 50,
                                                                                "minTier": "platinum"}), 400)
    assert_problem(client.get("/api/rewards?category=NOT%20A%20SLUG"), 400)


def test_a_cancelled_order_gives_its_coupon_back_to_use_again(fresh_db):
    """Cancelling frees the mall coupon in the store and in the synced ``coupons/`` row; a second order may use it."""
    user = rich_shopper(fresh_db)
    reward(fresh_db, "cap", cost=300, stock=10)
    push(fresh_db, user, uuid.uuid4().hex, [(1, "cap")])
    (row,) = view(fresh_db, user, "coupons/").values()
    first = place(fresh_db, user, {"GIFT": 2}, NOW, code=row["code"])
    assert [first] == [r["usedOrderId"] for r in view(fresh_db, user, "coupons/").values()]
    move(fresh_db, first, "cancelled", NOW)
    assert [None] == [r.get("usedOrderId") for r in view(fresh_db, user, "coupons/").values()]
    assert None is store.coupon(fresh_db.read(), user, row["code"])["used_order_id"]
    second = place(fresh_db, user, {"GIFT": 2}, NOW + timedelta(seconds=1), code=row["code"])  # a new key
    assert 100 == order(fresh_db, second).discount
