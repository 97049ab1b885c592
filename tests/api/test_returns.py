"""Returns: the sync mutation returns.request and its rules, operator moves, refunds reversing points and growth,
the tier's free-return allowance, exactly once, conditional updates (docs/loyalty.md, Returns)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from loyalty import integrity, ledger, returns_store, service, tiers
from operators import service as operator_service
from server.wiring import install
from sync import engine
from sync.limits import SyncLimits
from sync.models import Mutation, PushRequest
from tests.loyalty_support import buy, make_user, move, place, view
from tests.operator_support import console_sign_in, token_headers
from tests.utils import add_product, assert_problem, waits_for_shopper_lock

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DELIVERED = NOW - timedelta(days=2)
PAID = DELIVERED - timedelta(days=1)


def push(database, user: int, client_id: str, mutations: list[tuple[int, str, dict]], at: datetime = NOW):
    """Push mutations of one client as the sync route would, at ``at``."""
    request = PushRequest(client_id=client_id, mutations=[
        Mutation(id=i, name=name, args=msgspec.Raw(msgspec.json.encode(args)), at=0) for i, name, args in mutations])
    return engine.push(database, user, request, SyncLimits(), install().mutators, now_ms=int(at.timestamp() * 1000))


def shipped_order(database, user: int, lines: dict[str, int], shipped: datetime) -> int:
    """An order paid a day before ``shipped`` and shipped (fulfilled) then, not delivered yet."""
    order_id = buy(database, user, lines, shipped - timedelta(days=1))
    move(database, order_id, "fulfilled", shipped)
    return order_id


def delivered_order(database, user: int, lines: dict[str, int], delivered: datetime = DELIVERED,
                    shipped: datetime | None = None) -> int:
    """An order shipped at ``shipped`` (default: a day before ``delivered``) whose delivery the carrier confirmed at
    ``delivered``."""
    order_id = shipped_order(database, user, lines, shipped or delivered - timedelta(days=1))
    service.mark_delivered(database, order_id, delivered, hold_days=7)
    return order_id


def requested_return(database, user: int) -> dict:
    """The return row of a delivered order of one MUG, asked for by ``user`` from the phone."""
    order_id = delivered_order(database, user, {"MUG": 1})
    push(database, user, "phone", [(1, "returns.request", {"orderId": order_id})])
    (ret,) = returns_store.order_returns(database.read(), order_id)
    return ret


@pytest.fixture
def shop(fresh_db):
    add_product(fresh_db, "MUG", price=1_000, stock=100)
    add_product(fresh_db, "TEA", price=3_000, stock=100)
    return fresh_db


def returns_of(database, user: int) -> dict:
    return view(database, user, "returns/")


def test_a_whole_order_return_is_requested_offline_and_synced_as_a_view(shop):
    user = make_user(shop)
    order_id = delivered_order(shop, user, {"MUG": 2, "TEA": 1})
    returnable = view(shop, user, "returnable/")[f"returnable/{order_id}"]
    assert ([False, False], returnable["returnBy"][:10]) == (
        [l["returned"] for l in returnable["lines"]], (DELIVERED + timedelta(days=7)).isoformat()[:10])
    response = push(shop, user, "phone", [(1, "returns.request", {"orderId": order_id})])
    assert [] == response.errors
    (key, ret), = returns_of(shop, user).items()
    assert ("requested", order_id, 5_000, ["MUG", "TEA"]) == (ret["status"], ret["orderId"], ret["amount"],
                                                              [l["sku"] for l in ret["lines"]])
    # A silver shopper has no free returns: the return shipping is deducted from the refund.
    assert (500, False, 4_500) == (ret["shippingFee"], ret["freeShipping"], ret["refund"])
    assert [True, True] == [l["returned"] for l in view(shop, user, "returnable/")[f"returnable/{order_id}"]["lines"]]


@pytest.mark.parametrize("case, code, word", [
    ("not delivered", "not-delivered", "not been delivered"),
    ("shipped, not delivered", "not-delivered", "not been delivered"),
    ("after 7 days", "return-window-closed", "7 days"),
    ("line returned already", "already-returned", "MUG"),
    ("another shopper's order", "unknown-order", "among yours"),
    ("no such line", "unknown-line", "NOPE"),
    ("cancelled order", "not-returnable", "cancelled"),
])
def test_a_return_the_rules_refuse_is_a_rejected_mutation_that_changes_nothing(shop, case, code, word):
    user, other = make_user(shop), make_user(shop)
    order_id = delivered_order(shop, user, {"MUG": 1, "TEA": 1})
    args, at = {"orderId": order_id, "skus": ["MUG"]}, NOW
    if case == "not delivered":
        args["orderId"] = buy(shop, user, {"MUG": 1}, NOW - timedelta(hours=1))
    elif case == "shipped, not delivered":
        args["orderId"] = shipped_order(shop, user, {"MUG": 1}, NOW - timedelta(days=1))
    elif case == "after 7 days":
        at = DELIVERED + timedelta(days=7, seconds=1)
    elif case == "line returned already":
        assert [] == push(shop, user, "laptop", [(1, "returns.request", {"orderId": order_id, "skus": ["MUG"]})]).errors
    elif case == "another shopper's order":
        user = other
    elif case == "no such line":
        args["skus"] = ["NOPE"]
    elif case == "cancelled order":
        args["orderId"] = place(shop, user, {"MUG": 1}, NOW - timedelta(hours=1))
        move(shop, args["orderId"], "cancelled", NOW - timedelta(minutes=1))
    before = (view(shop, user), len(returns_store.list_returns(shop.read(), None, None, 100)))
    response = push(shop, user, "phone", [(1, "returns.request", args)], at=at)
    assert 1 == response.last_mutation_id  # the client is never stuck on it
    assert [(1, code)] == [(e.id, e.code) for e in response.errors]
    assert word in response.errors[0].detail
    assert before == (view(shop, user), len(returns_store.list_returns(shop.read(), None, None, 100)))


@pytest.mark.parametrize("delivered_ago, shipped_ago, open_", [
    (timedelta(days=7), timedelta(days=12), True),                # shipped 12 days ago, delivered 7 days ago: open
    (timedelta(days=7, seconds=1), timedelta(days=8), False),     # delivered 7 days and a second ago: closed
    (timedelta(days=2), timedelta(days=2, seconds=1), True),
])
def test_the_window_opens_at_delivery_not_at_shipping(shop, delivered_ago, shipped_ago, open_):
    user = make_user(shop)
    order_id = delivered_order(shop, user, {"MUG": 1}, delivered=NOW - delivered_ago, shipped=NOW - shipped_ago)
    returnable = view(shop, user, "returnable/")[f"returnable/{order_id}"]
    assert ((NOW - delivered_ago).isoformat()[:19], (NOW - delivered_ago + timedelta(days=7)).isoformat()[:19]) == (
        returnable["deliveredAt"][:19], returnable["returnBy"][:19])
    errors = push(shop, user, "phone", [(1, "returns.request", {"orderId": order_id})]).errors
    assert ([] if open_ else ["return-window-closed"]) == [e.code for e in errors]


def test_an_order_becomes_returnable_on_every_device_when_delivered_not_when_shipped(shop):
    user = make_user(shop)
    order_id = shipped_order(shop, user, {"MUG": 1}, NOW - timedelta(hours=2))
    assert {} == view(shop, user, "returnable/")  # shipped: on its way, nothing to return yet
    assert "shipped" == view(shop, user)[f"orders/{order_id}"]["timeline"][-2]["status"]
    before = view(shop, user)
    service.mark_delivered(shop, order_id, NOW - timedelta(hours=1), hold_days=7)
    assert [f"returnable/{order_id}"] == [k for k in view(shop, user) if k not in before]
    assert [] == push(shop, user, "phone", [(1, "returns.request", {"orderId": order_id})]).errors


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_delivery_waits_for_the_shoppers_other_writers(shop, settings):
    """Delivery writes the shopper's order, returnable and points rows (and pays cash on delivery: ledger and tier)
    from what it reads: a checkout or redemption on another server holding the shopper's lock goes first."""
    user = make_user(shop)
    order_id = shipped_order(shop, user, {"MUG": 1}, NOW - timedelta(days=1))
    order = waits_for_shopper_lock(settings.database_url, user,
                                   lambda: service.mark_delivered(shop, order_id, NOW, hold_days=7))
    assert "delivered" in [step.status for step in order.timeline if step.at]
    assert order_id in {int(k.split("/")[1]) for k in view(shop, user, "returnable/")}


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_return_asked_outside_sync_waits_for_the_shoppers_other_writers(shop, settings):
    """Asking reads the order's returns and the free-return allowance, then writes: a push on another server asking
    for the same lines holds the shopper's lock, and this request waits for it."""
    user = make_user(shop)
    order_id = delivered_order(shop, user, {"MUG": 1})
    returned = waits_for_shopper_lock(settings.database_url, user, lambda: service.request_return(
        shop, user, order_id, [], client_id="script", mutation_id=1, now=NOW))
    assert [returned.id] == [r["id"] for r in returns_store.order_returns(shop.read(), order_id)]


def test_pushed_twice_it_is_applied_once(shop):
    user = make_user(shop)
    order_id = delivered_order(shop, user, {"MUG": 1})
    mutation = [(1, "returns.request", {"orderId": order_id})]
    first, second = push(shop, user, "phone", mutation), push(shop, user, "phone", mutation)
    assert (1, 1, [], []) == (first.last_mutation_id, second.last_mutation_id, first.errors, second.errors)
    assert 1 == len(returns_store.order_returns(shop.read(), order_id))
    # The same request from another device is a second request of a returned line: refused.
    assert ["already-returned"] == [e.code for e in push(shop, user, "tablet", mutation).errors]


def test_chosen_lines_then_the_rest_refund_the_order_exactly_once(shop, client, admin_headers):
    user = make_user(shop)
    order_id = delivered_order(shop, user, {"MUG": 1, "TEA": 1})  # 4,000: 40 points + the 1,000 first-order bonus
    earned = service.get_order(shop, order_id).points_earned
    growth_before = tiers.growth(shop.read(), user, NOW)
    assert [] == push(shop, user, "phone", [(1, "returns.request", {"orderId": order_id, "skus": ["TEA"]}),
                                            (2, "returns.request", {"orderId": order_id, "skus": ["MUG"]})]).errors
    tea, mug = sorted(returns_store.order_returns(shop.read(), order_id), key=lambda r: r["id"])
    assert (3_000, 1_000) == (tea["amount"], mug["amount"])
    for status in ("approved", "received", "refunded"):
        moved = client.post(f"/api/admin/returns/{tea['id']}/status", headers=admin_headers, json={"status": status})
        assert 200 == moved.status_code, moved.text
    assert 30 == moved.json()["pointsReversed"]  # TEA's share of the 40 earned; the bonus stays
    assert "fulfilled" == service.get_order(shop, order_id).status
    assert growth_before - 30 == tiers.growth(shop.read(), user, NOW)
    for status in ("approved", "received", "refunded"):
        client.post(f"/api/admin/returns/{mug['id']}/status", headers=admin_headers, json={"status": status})
    done = service.get_order(shop, order_id)
    assert ("refunded", earned) == (done.status, done.points_reversed + done.points_written_off)
    assert (0, 0) == ledger.balances(shop.read(), user, NOW)[:2]
    assert growth_before - 40 == tiers.growth(shop.read(), user, NOW)
    assert "refunded" == view(shop, user)[f"orders/{order_id}"]["status"]
    assert f"returnable/{order_id}" not in view(shop, user, "returnable/")
    with shop.snapshot() as db:
        assert [] == integrity.check(db)  # lastmile verify: ledger, views and returns agree


def test_verify_names_a_return_that_gives_back_more_than_the_goods_cost(shop):
    user = make_user(shop)
    ret = requested_return(shop, user)
    with shop.write() as db:
        db.execute("UPDATE returns SET amount = amount + 1 WHERE id = ?", [ret["id"]])
    with shop.snapshot() as db:
        found = [line for line in integrity.check(db) if "return" in line]
    assert [f"loyalty: return {ret['id']} (order {ret['order_id']}) is 1001, its lines 1000",
            f"loyalty: order {ret['order_id']}'s returns give back 1001, its goods cost 1000"] == found


def test_operators_move_a_return_and_see_its_four_hour_refund_target(shop, client, admin_headers):
    user = make_user(shop)
    ret = requested_return(shop, user)
    url = f"/api/admin/returns/{ret['id']}/status"
    assert_problem(client.post(url, headers=admin_headers, json={"status": "refunded"}), 409, "requested")
    assert 200 == client.post(url, headers=admin_headers, json={"status": "approved"}).status_code
    assert 200 == client.post(url, headers=admin_headers, json={"status": "approved"}).status_code  # a repeat: no-op
    received = client.post(url, headers=admin_headers, json={"status": "received"}).json()
    due = datetime.fromisoformat(received["refundDueAt"]) - datetime.fromisoformat(received["receivedAt"])
    assert timedelta(hours=4) == due
    (item,) = client.get("/api/admin/returns?status=received", headers=admin_headers).json()["items"]
    assert (ret["id"], user) == (item["return"]["id"], item["userId"])
    assert 4 * 3600 - 60 < item["secondsToRefundTarget"] <= 4 * 3600
    assert "received" == returns_of(shop, user)[f"returns/{ret['id']}"]["status"]
    assert_problem(client.post("/api/admin/returns/999/status", headers=admin_headers, json={"status": "approved"}), 404)
    assert 400 == client.post(url, headers=admin_headers, json={"status": "requested"}).status_code


def test_an_overdue_refund_counts_below_zero(shop):
    user = make_user(shop)
    ret = requested_return(shop, user)
    service.move_return(shop, ret["id"], "approved", NOW)
    service.move_return(shop, ret["id"], "received", NOW)
    (item,) = service.returns_page(shop, "received", None, 10, now=NOW + timedelta(hours=5)).items
    assert -3600 == item.seconds_to_refund_target


def test_a_move_another_operator_made_first_is_not_made_twice(shop):
    user = make_user(shop)
    ret = requested_return(shop, user)
    service.move_return(shop, ret["id"], "approved", NOW)
    with shop.write() as db:  # a second process that read the return as 'requested'
        assert not returns_store.move_return(db, ret["id"], "requested", "rejected", NOW.isoformat())
    assert "approved" == returns_store.get_return(shop.read(), ret["id"])["status"]


def test_a_line_is_in_one_live_return_whoever_inserts_it(shop):
    user = make_user(shop)
    ret = requested_return(shop, user)
    with pytest.raises(Exception, match="(?i)unique"):
        with shop.write() as db:
            returns_store.insert_return_lines(db, ret["id"] + 0, ret["order_id"],
                                              [{"sku": "MUG", "qty": 1, "amount": 1}])


def test_the_free_return_allowance_ships_free_and_a_rejected_return_gives_it_back(shop):
    user = make_user(shop)
    add_product(shop, "BIG", price=210_000, stock=10)
    buy(shop, user, {"BIG": 1}, NOW - timedelta(days=5))  # gold at once (the accelerated path): 2 free returns
    orders = [delivered_order(shop, user, {"MUG": 1}, DELIVERED + timedelta(seconds=i)) for i in range(3)]
    push(shop, user, "phone", [(i + 1, "returns.request", {"orderId": o}) for i, o in enumerate(orders)])
    rets = [returns_store.order_returns(shop.read(), o)[0] for o in orders]
    assert [0, 0, 500] == [r["shipping_fee"] for r in rets]
    assert 0 == view(shop, user)["points"]["perks"]["freeReturnsLeft"]
    service.move_return(shop, rets[0]["id"], "rejected", NOW)
    assert 1 == view(shop, user)["points"]["perks"]["freeReturnsLeft"]
    assert not view(shop, user, "returnable/")[f"returnable/{orders[0]}"]["lines"][0]["returned"]


def test_refunding_an_order_that_was_refunded_whole_meanwhile_is_refused(shop, client, admin_headers):
    user = make_user(shop)
    order_id = delivered_order(shop, user, {"MUG": 1, "TEA": 1})
    push(shop, user, "phone", [(1, "returns.request", {"orderId": order_id, "skus": ["MUG"]})])
    (ret,) = returns_store.order_returns(shop.read(), order_id)
    service.move_return(shop, ret["id"], "approved", NOW)
    service.move_return(shop, ret["id"], "received", NOW)
    move(shop, order_id, "refunded", NOW)  # an operator refunded the whole order from /admin/orders
    url = f"/api/admin/returns/{ret['id']}/status"
    assert_problem(client.post(url, headers=admin_headers, json={"status": "refunded"}), 409, "reject")
    assert 200 == client.post(url, headers=admin_headers, json={"status": "rejected"}).status_code


@pytest.mark.parametrize("role, allowed", [("owner", True), ("support", True), ("merchandiser", False),
                                           ("marketer", False)])
def test_support_and_owners_see_returns_others_do_not(client, fresh_db, role, allowed):
    headers = token_headers(fresh_db, f"{role}-{uuid.uuid4().hex[:6]}@example.com", role)
    assert (200 if allowed else 403) == client.get("/api/admin/returns", headers=headers).status_code
    assert (404 if allowed else 403) == client.post("/api/admin/returns/5/status", headers=headers,
                                                    json={"status": "approved"}).status_code


def test_return_moves_are_audited(shop, client):
    user = make_user(shop)
    ret = requested_return(shop, user)
    headers = token_headers(shop, "support@example.com", "support")
    client.post(f"/api/admin/returns/{ret['id']}/status", headers=headers, json={"status": "approved"})
    entries = [(e.actor, e.role, e.action, e.target, e.status) for e in operator_service.audit_log(shop)
               if e.action.startswith("POST")]
    assert [("support@example.com", "support", "POST /api/admin/returns/{return_id}/status",
             f"/api/admin/returns/{ret['id']}/status", 200)] == entries


def test_the_console_shows_each_return_with_its_refund_target_and_moves_it(shop, client):
    user = make_user(shop)
    ret = requested_return(shop, user)
    csrf = console_sign_in(client, shop, "help@example.com", "support")
    html = client.get("/admin/returns").text
    assert "starts when received" in html and f'action="/admin/returns/{ret["id"]}/status"' in html
    for status in ("approved", "received"):
        moved = client.post(f"/admin/returns/{ret['id']}/status", data={"csrf": csrf, "status": status},
                            follow_redirects=False)
        assert 303 == moved.status_code, moved.text
    assert re.search(r"3 h 5\d min left", client.get("/admin/returns?status=received").text)
    refused = client.post(f"/admin/returns/{ret['id']}/status", data={"csrf": csrf, "status": "approved"})
    assert 409 == refused.status_code
    service.move_return(shop, ret["id"], "rejected", NOW)
    with shop.write() as db:  # received five hours ago: overdue
        db.execute("UPDATE returns SET status = 'received', refund_due_at = ? WHERE id = ?",
                   [(NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z"), ret["id"]])
    assert "overdue by 1 h" in client.get("/admin/returns").text
    audited = [e.detail for e in operator_service.audit_log(shop) if e.action.startswith("POST /admin/returns")]
    assert f"return {ret['id']} -> approved" in audited
