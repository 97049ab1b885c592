"""Checkout with an address, delivery and payment over HTTP: ownership, delivery prices and validation, the test
card provider and cash on delivery, idempotency, totals, the review quote, and operator status changes reaching
the shopper's devices (synced view and a queued web push)."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

import pytest

from accounts import consents
from loyalty import checkout, service, store
from loyalty.payment import PAYMENT_PROVIDERS, by_method
from retention import audience_store, push_store
from server.cli.main import main as cli_main
from server.wiring import DISCOUNT_PROVIDERS, default_order_listeners
from tests.loyalty_support import fill_cart, make_user, shopper, view
from tests.loyalty_support import place as place_in_db
from tests.operator_support import console_sign_in
from tests.utils import add_product, apply_patch, assert_problem, log_in, point_cli_at, start_and_join, sync_push

HOME = {"id": "home", "name": "Ana Lima", "line1": "1 Harbour Road", "city": "Lisbon", "country": "PT",
        "line2": "", "region": "", "postcode": "1100-001", "phone": "+351 21 000 0000"}
APPROVE = {"method": "card", "token": "tok_test_approve"}


@pytest.fixture
def shop(client, fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=5)
    add_product(fresh_db, "KETTLE", price=3_990, stock=2)
    return client


def with_address(client, email: str, address: dict = HOME) -> tuple[dict[str, str], int]:
    """A shopper whose synced address book holds ``address`` (saved through sync, as the PWA does)."""
    headers, user = shopper(client, email)
    sync_push(client, headers, f"client-device-{user}", ("address.put", address))
    return headers, user


def order_body(**fields) -> dict:
    return {"addressId": "home", "delivery": "standard", "payment": APPROVE, **fields}


def place(client, headers: dict, key: str, body: dict):
    return client.post("/api/orders", headers={**headers, "Idempotency-Key": key}, json=body)


def give_gift_coupon(database, user: int, code: str = "GIFT5") -> None:
    """A 5.00 EUR loyalty coupon of the shopper's, as growth buys one."""
    with database.write() as db:
        store.insert_loyalty_coupon(db, {"code": code, "user_id": user, "source": "growth", "item": "cash-5",
                                         "name": "5 off", "value": 500, "currency": "EUR", "min_order": 0,
                                         "created_at": "2026-01-01T00:00:00.000000Z",
                                         "expires_at": "2099-01-01T00:00:00.000000Z"})


def stock(database, sku: str) -> int:
    return database.read().execute("SELECT stock FROM products WHERE id = ?", [sku]).fetchone()[0]


def all_text(database) -> str:
    """Every text and blob value in the orders and idempotency tables, for checks of what is never stored."""
    rows = database.read().execute("SELECT * FROM orders").fetchall() + database.read().execute(
        "SELECT * FROM idempotency_keys").fetchall()
    return " ".join(v.decode(errors="replace") if isinstance(v, bytes) else str(v) for row in rows for v in row)


def test_card_checkout_charges_goods_plus_delivery_and_pays_the_order(shop, fresh_db):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 2})
    response = place(shop, headers, "k1", order_body(delivery="express"))
    assert 201 == response.status_code, response.text
    body = response.json()
    assert {"status": "paid", "subtotal": 2_500, "discount": 0, "shipping": 990, "total": 3_490, "delivery": "express",
            "payment": "card", "address": None} == {k: body[k] for k in (
                "status", "subtotal", "discount", "shipping", "total", "delivery", "payment", "address")}
    assert ["placed", "paid", "shipped", "delivered"] == [s["status"] for s in body["timeline"]]
    assert [True, True, False, False] == [s["at"] is not None for s in body["timeline"]]
    assert 25 + 1_000 == body["pointsEarned"]                 # points on the goods only, plus the first-order bonus
    assert (3, {}) == (stock(fresh_db, "MUG"), view(fresh_db, user, "cart/"))
    synced = view(fresh_db, user)[f"orders/{body['id']}"]
    assert ("paid", "card", body["timeline"]) == (synced["status"], synced["payment"], synced["timeline"])
    # The answer (kept to replay the key) leaves the address out; the order itself shows it.
    assert {**body, "address": HOME} == shop.get(f"/api/orders/{body['id']}", headers=headers).json()
    stored = all_text(fresh_db)
    assert "tok_test_approve" not in stored                              # the token is never kept
    assert "Harbour" not in stored                                       # the address is sealed


@pytest.mark.parametrize("goods, delivery, shipping", [
    ({"MUG": 1}, "standard", 490),
    ({"MUG": 4}, "standard", 0),            # 50.00 of goods: standard delivery is free
    ({"MUG": 4}, "express", 990),
    ({"MUG": 1}, "pickup", 190),
])
def test_delivery_prices_join_the_total(shop, fresh_db, goods, delivery, shipping):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, goods)
    point = {"pickupPoint": "eur-market-square"} if delivery == "pickup" else {}
    body = place(shop, headers, "k", order_body(delivery=delivery, **point)).json()
    assert (shipping, body["subtotal"] + shipping) == (body["shipping"], body["total"])


@pytest.mark.parametrize("token, code", [
    ("tok_test_decline", "card_declined"),
    ("tok_test_insufficient_funds", "insufficient_funds"),
    ("tok_test_expired", "expired_card"),
    ("tok_made_up", "token_not_recognised"),
])
def test_a_declined_payment_orders_and_charges_nothing_and_the_key_can_retry(shop, fresh_db, token, code):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 2})
    problem = assert_problem(place(shop, headers, "k", order_body(payment={"method": "card", "token": token})), 402,
                             "declined", code)
    assert "/problems/payment-declined" == problem["type"]
    assert [] == store.list_orders(fresh_db.read(), user, None, 10)
    assert (5, {"cart/MUG"}) == (stock(fresh_db, "MUG"), set(view(fresh_db, user, "cart/")))
    # The decline wrote nothing, not even the key: the shopper pays with another card under the same key.
    retried = place(shop, headers, "k", order_body())
    assert (201, "paid") == (retried.status_code, retried.json()["status"])


def test_cash_on_delivery_ships_unpaid_and_is_paid_at_the_door(shop, fresh_db, admin_headers):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"KETTLE": 1})
    body = place(shop, headers, "k", order_body(payment={"method": "cod"})).json()
    assert ("placed", "cod", 3_990 + 490, 0) == (body["status"], body["payment"], body["total"], body["pointsEarned"])
    assert ["placed", "awaiting_cod", "shipped", "delivered"] == [s["status"] for s in body["timeline"]]
    status, delivered = f"/api/admin/orders/{body['id']}/status", f"/api/admin/orders/{body['id']}/delivered"
    assert_problem(shop.post(status, headers=admin_headers, json={"status": "paid"}), 409, "placed")
    shipped = shop.post(status, headers=admin_headers, json={"status": "fulfilled"}).json()
    assert ("fulfilled", [True, True, True, False], 0) == (
        shipped["status"], [s["at"] is not None for s in shipped["timeline"]], shipped["pointsEarned"])
    assert f"returnable/{body['id']}" not in view(fresh_db, user)              # unpaid: on its way, not returnable
    assert_problem(shop.post(status, headers=admin_headers, json={"status": "refunded"}), 409, "not yet paid")
    paid = shop.post(delivered, headers=admin_headers).json()                     # the courier collected the cash
    assert ("fulfilled", 39 + 1_000) == (paid["status"], paid["pointsEarned"])
    assert [True, True, True, True] == [s["at"] is not None for s in paid["timeline"]]
    assert None is not store.get_order(fresh_db.read(), body["id"])["paid_at"]
    assert f"returnable/{body['id']}" in view(fresh_db, user)
    assert paid == shop.post(delivered, headers=admin_headers).json()            # a repeated confirmation: no-op
    assert_problem(shop.post(status, headers=admin_headers, json={"status": "cancelled"}), 409, "refunded")


def test_a_cash_on_delivery_parcel_refused_at_the_door_is_cancelled_and_restocked(shop, fresh_db, admin_headers):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"KETTLE": 2})
    order = place(shop, headers, "k", order_body(payment={"method": "cod"})).json()
    status = f"/api/admin/orders/{order['id']}/status"
    shop.post(status, headers=admin_headers, json={"status": "fulfilled"})
    cancelled = shop.post(status, headers=admin_headers, json={"status": "cancelled"}).json()
    assert (["placed", "awaiting_cod", "shipped", "cancelled"], 2, 0) == (
        [s["status"] for s in cancelled["timeline"]], stock(fresh_db, "KETTLE"), cancelled["pointsEarned"])


def test_delivery_is_confirmed_once_and_only_for_shipped_orders(shop, fresh_db, admin_headers):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    paid = place(shop, headers, "k", order_body()).json()
    delivered = f"/api/admin/orders/{paid['id']}/delivered"
    assert_problem(shop.post(delivered, headers=admin_headers), 409, "paid")
    shop.post(f"/api/admin/orders/{paid['id']}/status", headers=admin_headers, json={"status": "fulfilled"})
    first = shop.post(delivered, headers=admin_headers).json()
    assert (True, 12 + 1_000) == (first["timeline"][3]["at"] is not None, first["pointsEarned"])  # earned when paid
    assert first == shop.post(delivered, headers=admin_headers).json()           # a second confirmation: no-op
    assert 404 == shop.post("/api/admin/orders/999/delivered", headers=admin_headers).status_code
    assert 401 == shop.post(delivered, headers=headers).status_code


def test_another_shoppers_address_is_never_used(shop, fresh_db):
    with_address(shop, "ana@example.com")
    headers_b, user_b = shopper(shop, "bo@example.com")
    fill_cart(fresh_db, user_b, {"MUG": 1})
    assert_problem(place(shop, headers_b, "k", order_body()), 422, "no address", "home")
    assert_problem(shop.post("/api/checkout/quote", headers=headers_b, json={"addressId": "home"}), 422, "no address")
    assert [] == store.list_orders(fresh_db.read(), user_b, None, 10)
    assert {"cart/MUG"} == set(view(fresh_db, user_b, "cart/"))


def test_a_removed_address_cannot_be_used(shop, fresh_db):
    headers, user = with_address(shop, "a@example.com")
    sync_push(shop, headers, f"other-device-{user}", ("address.remove", {"id": "home"}))
    fill_cart(fresh_db, user, {"MUG": 1})
    assert_problem(place(shop, headers, "k", order_body()), 422, "no address")


@pytest.mark.parametrize("body, status, words", [
    (order_body(delivery="drone"), 422, ("unknown delivery option", "standard, express, pickup")),
    ({"addressId": "home", "delivery": "standard"}, 422, ("missing: payment",)),
    ({"payment": APPROVE}, 422, ("missing: addressId, delivery",)),
    (order_body(payment={"method": "card"}), 422, ("token",)),
    (order_body(payment={"method": "cod", "token": "tok_test_approve"}), 422, ("takes no token",)),
    (order_body(payment={"method": "bitcoin"}), 422, ("payment.method",)),
    (order_body(payment={"method": "card", "token": "4242424242424242"}), 422, ("payment.token",)),
    (order_body(delivery="x" * 41), 422, ("delivery",)),
    (order_body(delivery="pickup"), 422, ("needs a pickupPoint", "eur-central-station")),
    (order_body(delivery="pickup", pickupPoint="cny-lujiazui"), 422, ("no pickup point 'cny-lujiazui' for EUR",)),
    (order_body(delivery="express", pickupPoint="eur-university"), 422, ("goes with the pickup delivery option",)),
    (order_body(delivery="pickup", pickupPoint="Not An Id!"), 422, ("pickupPoint",)),
])
def test_bad_checkout_choices_are_refused_and_change_nothing(shop, fresh_db, body, status, words):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    response = place(shop, headers, "k", body)
    assert_problem(response, status, *words)
    assert "4242424242424242" not in response.text                       # card-like input is never echoed
    assert ([], 5) == (store.list_orders(fresh_db.read(), user, None, 10), stock(fresh_db, "MUG"))


def test_a_pickup_order_is_offered_the_shops_points_and_keeps_the_one_chosen(shop, fresh_db):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    asked = shop.post("/api/checkout/quote", headers=headers, json={"addressId": "home", "delivery": "pickup"}).json()
    assert (["eur-central-station", "eur-market-square", "eur-university"], None) == (
        asked["pickupPoints"], asked["pickupPoint"])
    chosen = shop.post("/api/checkout/quote", headers=headers,
                       json={"addressId": "home", "delivery": "pickup", "pickupPoint": "eur-university"}).json()
    assert ("eur-university", 190) == (chosen["pickupPoint"], chosen["shipping"])  # the review step shows it
    assert_problem(shop.post("/api/checkout/quote", headers=headers,
                             json={"delivery": "pickup", "pickupPoint": "usd-main-street"}), 422, "for EUR orders")
    placed = place(shop, headers, "k", order_body(delivery="pickup", pickupPoint="eur-university"))
    assert (201, "pickup", "eur-university") == (placed.status_code, placed.json()["delivery"], placed.json()["pickupPoint"])
    shown = shop.get(f"/api/orders/{placed.json()['id']}", headers=headers).json()
    assert ("eur-university", HOME) == (shown["pickupPoint"], shown["address"])  # the order page shows both
    # Another point under the same key is another request, not a replay.
    assert_problem(place(shop, headers, "k", order_body(delivery="pickup", pickupPoint="eur-market-square")), 422,
                   "different request")


@pytest.mark.parametrize("lang, header, name, where", [
    ("en", "Pickup point", "University library lockers", "Campus Road 5, entrance B · open 24 hours"),
    ("zh-CN", "自提点", "大学图书馆自提柜", "校园路 5 号，B 入口 · 24 小时开放"),
])
def test_the_console_orders_page_shows_a_pickup_orders_point_in_the_operators_language(shop, fresh_db, lang, header,
                                                                                         name, where):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    pickup = place(shop, headers, "k1", order_body(delivery="pickup", pickupPoint="eur-university")).json()["id"]
    fill_cart(fresh_db, user, {"MUG": 1})
    sent = place(shop, headers, "k2", order_body()).json()["id"]
    shop.cookies.clear()
    console_sign_in(shop, fresh_db, "s@example.com", "support")
    page = shop.get("/admin/orders", headers={"Accept-Language": lang}).text
    assert f'<th scope="col">{header}</th>' in page
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r'<tr><td class="num">(\d+)</td>(.*?)</tr>', page)}
    assert f'<span data-pickup="eur-university">{name}<br><span class="muted">{where}</span></span>' in rows[pickup]
    assert "data-pickup" not in rows[sent] and "<td>—</td>" in rows[sent]
    # The point is the shop's place and shown plainly; the shopper's own address is not on the page at all.
    assert "Harbour" not in page and "Ana Lima" not in page


def test_the_same_key_replays_the_paid_order_and_a_changed_choice_is_refused(shop, fresh_db):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    first = place(shop, headers, "same", order_body())
    again = place(shop, headers, "same", order_body())
    assert (first.json(), "true") == (again.json(), again.headers.get("idempotent-replayed"))
    assert_problem(place(shop, headers, "same", order_body(delivery="express")), 422, "different request")
    assert 1 == len(store.list_orders(fresh_db.read(), user, None, 10))


def test_racing_checkouts_with_one_key_make_one_paid_order(shop, fresh_db):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    payments = checkout.Payments(providers=by_method(PAYMENT_PROVIDERS), hold_days=7)
    body = b'{"addressId": "home", "delivery": "express", "payment": {"method": "card", "token": "tok_test_approve"}}'
    results, barrier = [], threading.Barrier(6)

    def attempt() -> None:
        barrier.wait()
        results.append(service.place_order(fresh_db, user, "race", body, discount_providers=DISCOUNT_PROVIDERS,
                                           payments=payments))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    start_and_join(threads)
    assert (1, 1) == (len({r.body for r in results}), sum(not r.replayed for r in results))
    orders = store.list_orders(fresh_db.read(), user, None, 10)
    assert (1, "paid", 4) == (len(orders), orders[0]["status"], stock(fresh_db, "MUG"))
    earned = fresh_db.read().execute("SELECT COUNT(*) FROM points_ledger WHERE order_id = ? AND kind = 'earn'",
                                     [orders[0]["id"]]).fetchone()[0]
    assert 1 == earned                                                     # paid once, points earned once


def test_the_review_quote_prices_like_checkout_and_writes_nothing(shop, fresh_db):
    headers, user = with_address(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1, "KETTLE": 1})
    response = shop.post("/api/checkout/quote", headers=headers, json={"addressId": "home", "delivery": "express"})
    assert 200 == response.status_code, response.text
    quote = response.json()
    assert {"currency": "EUR", "subtotal": 5_240, "discount": 0, "shipping": 990, "total": 6_230, "delivery": "express",
            "address": HOME, "paymentMethods": ["card", "cod"], "freeDeliveryFrom": 5_000,
            "pointsToEarn": 52 + 1_000} == {k: quote[k] for k in (
                "currency", "subtotal", "discount", "shipping", "total", "delivery", "address", "paymentMethods",
                "freeDeliveryFrom", "pointsToEarn")}
    assert [("standard", 0, True), ("express", 990, False), ("pickup", 190, False)] == [
        (o["id"], o["price"], o["free"]) for o in quote["deliveryOptions"]]
    assert ["KETTLE", "MUG"] == [line["sku"] for line in quote["lines"]]
    assert_problem(shop.post("/api/checkout/quote", headers=headers, json={"delivery": "drone"}), 422, "drone")
    placed = place(shop, headers, "k", order_body(delivery="express")).json()
    assert quote["total"] == placed["total"]
    assert_problem(shop.post("/api/checkout/quote", headers=headers, json={}), 422, "empty")  # the cart went


def test_the_quote_does_not_use_up_a_coupon(shop, fresh_db):
    headers, user = with_address(shop, "a@example.com")
    give_gift_coupon(fresh_db, user)
    fill_cart(fresh_db, user, {"KETTLE": 1})
    quote = shop.post("/api/checkout/quote", headers=headers, json={"code": "GIFT5", "delivery": "standard"}).json()
    assert (500, 3_490 + 490) == (quote["discount"], quote["total"])
    assert None is store.loyalty_coupon(fresh_db.read(), user, "GIFT5")["used_order_id"]
    placed = place(shop, headers, "k", order_body(code="GIFT5")).json()
    assert (500, quote["total"]) == (placed["discount"], placed["total"])


def test_a_cancelled_order_gives_its_loyalty_coupon_back(shop, fresh_db, admin_headers):
    """The coupon's row and its synced view say unused again, and the next order may take it."""
    headers, user = with_address(shop, "b@example.com")
    give_gift_coupon(fresh_db, user)
    fill_cart(fresh_db, user, {"KETTLE": 1})
    first = place(shop, headers, "k1", order_body(code="GIFT5", payment={"method": "cod"})).json()
    assert first["id"] == store.loyalty_coupon(fresh_db.read(), user, "GIFT5")["used_order_id"]
    moved = shop.post(f"/api/admin/orders/{first['id']}/status", headers=admin_headers, json={"status": "cancelled"})
    assert 200 == moved.status_code, moved.text
    assert None is store.loyalty_coupon(fresh_db.read(), user, "GIFT5")["used_order_id"]
    assert None is view(fresh_db, user, "coupons/")["coupons/GIFT5"].get("usedOrderId")
    fill_cart(fresh_db, user, {"KETTLE": 1})
    assert 500 == place(shop, headers, "k2", order_body(code="GIFT5")).json()["discount"]

def test_the_quote_needs_a_shopper(shop):
    assert 401 == shop.post("/api/checkout/quote", json={}).status_code


def subscribe_with_consent(database, user: int) -> int:
    """A push subscription of the shopper's, with the notifications consent recorded."""
    with database.write() as db:
        consents.record(db, user, consents.NOTIFICATIONS, True, 1_700_000_000_000)
        return push_store.add_subscription(db, user, None, f"https://fcm.googleapis.com/fcm/send/test-{user}",
                                           "p256dh-key", "auth-key", "2026-01-01T00:00:00.000000Z")


def test_an_operator_status_change_reaches_every_device_and_queues_a_push(shop, fresh_db, admin_headers, monkeypatch):
    headers, user = with_address(shop, "ana@example.com")
    laptop = log_in(shop, "ana@example.com", device="laptop")
    laptop_view: dict = {}
    pulled = shop.post("/api/sync/pull", headers=laptop, json={"clientId": "laptop-1", "cookie": None}).json()
    apply_patch(laptop_view, pulled["patch"])
    sub = subscribe_with_consent(fresh_db, user)
    fill_cart(fresh_db, user, {"MUG": 1})
    order = place(shop, headers, "k", order_body()).json()
    poked: list[int] = []
    monkeypatch.setattr(service, "notify", poked.append)

    shipped = shop.post(f"/api/admin/orders/{order['id']}/status", headers=admin_headers, json={"status": "fulfilled"})
    assert 200 == shipped.status_code, shipped.text
    assert [user] == poked                                                # open devices are told to pull now
    again = shop.post("/api/sync/pull", headers=laptop, json={"clientId": "laptop-1", "cookie": pulled["cookie"]}).json()
    apply_patch(laptop_view, again["patch"])
    synced = laptop_view[f"orders/{order['id']}"]
    assert ("fulfilled", ["placed", "paid", "shipped", "delivered"], [True, True, True, False]) == (
        synced["status"], [s["status"] for s in synced["timeline"]], [s["at"] is not None for s in synced["timeline"]])
    outbox = push_store.outbox_rows(fresh_db.read())
    assert [(sub, f"order-{order['id']}")] == [(r["subscription_id"], r["topic"]) for r in outbox]
    payload = outbox[0]["payload"].decode()
    assert f"Order {order['id']} has shipped." in payload and f"/orders/{order['id']}" in payload

    delivered = shop.post(f"/api/admin/orders/{order['id']}/delivered", headers=admin_headers)
    assert (200, [user, user]) == (delivered.status_code, poked)
    final = shop.post("/api/sync/pull", headers=laptop, json={"clientId": "laptop-1", "cookie": again["cookie"]}).json()
    apply_patch(laptop_view, final["patch"])
    assert laptop_view[f"orders/{order['id']}"]["timeline"][3]["at"] is not None
    assert 2 == len(push_store.outbox_rows(fresh_db.read()))              # paid came with checkout: no push for it


def test_order_pushes_speak_the_shoppers_language_and_come_once_per_step(fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=5)
    user = make_user(fresh_db)
    subscribe_with_consent(fresh_db, user)
    with fresh_db.write() as db:
        audience_store.upsert_profile(db, user, "2026-01-01T00:00:00.000000Z", locale="zh-CN")
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    order_id = place_in_db(fresh_db, user, {"MUG": 1}, noon)
    listeners = default_order_listeners()
    service.set_order_status(fresh_db, order_id, "paid", 7, noon, listeners=listeners)
    service.set_order_status(fresh_db, order_id, "paid", 7, noon, listeners=listeners)  # a retried webhook
    payloads = [r["payload"].decode() for r in push_store.outbox_rows(fresh_db.read())]
    assert 1 == len(payloads) and f"订单 {order_id} 已付款" in payloads[0]


def test_order_pushes_need_the_consent_and_wait_for_the_end_of_quiet_hours(fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=5)
    quiet, silent = make_user(fresh_db), make_user(fresh_db)
    subscribe_with_consent(fresh_db, quiet)
    with fresh_db.write() as db:  # a subscription but the consent withdrawn
        push_store.add_subscription(db, silent, None, "https://fcm.googleapis.com/fcm/send/silent", "k", "a",
                                    "2026-01-01T00:00:00.000000Z")
        consents.record(db, silent, consents.NOTIFICATIONS, False, 1_700_000_000_000)
    late = datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc)             # inside the default 21-9 quiet hours (UTC)
    listeners = default_order_listeners()
    for user in (quiet, silent):
        order_id = place_in_db(fresh_db, user, {"MUG": 1}, late)
        service.set_order_status(fresh_db, order_id, "paid", 7, late, listeners=listeners)
    rows = push_store.outbox_rows(fresh_db.read())
    assert [("2026-03-03T09:00:00.000000Z")] == [r["not_before"] for r in rows]  # deferred, not dropped


def test_the_export_holds_the_orders_address_and_erasing_the_account_drops_it(shop, fresh_db):
    headers, user = with_address(shop, "ana@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    order = place(shop, headers, "k", order_body()).json()
    exported = shop.get("/api/me/export", headers=headers).json()
    assert [HOME] == [o["address"] for o in exported["orders"]]
    deleted = shop.request("DELETE", "/api/me", headers=headers, json={"password": "correct horse battery"})
    assert 204 == deleted.status_code, deleted.text
    row = store.get_order(fresh_db.read(), order["id"])
    assert (None, "paid", 1_250 + 490) == (row["ship_to"], row["status"], row["total"])  # kept for accounting


def test_the_console_offers_a_cash_on_delivery_order_its_own_moves_and_its_delivery(shop, fresh_db):
    headers, user = with_address(shop, "ana@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    order_id = place(shop, headers, "k", order_body(payment={"method": "cod"})).json()["id"]
    shop.cookies.clear()
    csrf = console_sign_in(shop, fresh_db, "s@example.com", "support")

    def offered() -> list[str]:
        page = shop.get("/admin/orders").text
        form = page.split(f'action="/admin/orders/{order_id}/status"', 1)[1].split("</form>", 1)[0]
        return [part.split('"', 1)[0] for part in form.split('<option value="')[1:]]

    assert ["fulfilled", "cancelled"] == offered()                      # never "paid": the cash comes at the door
    for status in ("fulfilled", "delivered"):
        moved = shop.post(f"/admin/orders/{order_id}/status", data={"csrf": csrf, "status": status}, follow_redirects=False)
        assert 303 == moved.status_code, moved.text
        if status == "fulfilled":
            assert ["delivered", "cancelled", "refunded"] == offered()
    row = store.get_order(fresh_db.read(), order_id)
    assert ("fulfilled", True, True) == (row["status"], row["paid_at"] is not None, row["delivered_at"] is not None)


def test_key_rotation_reseals_the_orders_addresses(shop, fresh_db, settings, monkeypatch):
    point_cli_at(monkeypatch, settings)
    monkeypatch.delenv("LASTMILE_DATA_KEYS", raising=False)
    headers, user = with_address(shop, "ana@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    order_id = place(shop, headers, "k", order_body()).json()["id"]
    assert store.get_order(fresh_db.read(), order_id)["ship_to"].startswith("~k1.")
    assert 0 == cli_main(["keys", "rotate", "--quiet"])
    assert store.get_order(fresh_db.read(), order_id)["ship_to"].startswith("~k2.")
    assert HOME == shop.get(f"/api/orders/{order_id}", headers=headers).json()["address"]
