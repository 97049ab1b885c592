"""Checkout and orders over HTTP: idempotency, catalog prices, stock, codes, ownership, admin-only transitions."""

from __future__ import annotations

import threading

import pytest

from loyalty import checkout, service, store
from loyalty.errors import UnknownCode
from loyalty.models import Discount
from server.wiring import DISCOUNT_PROVIDERS, install
from sync import store as sync_store
from tests.loyalty_support import fill_cart, shopper, view
from tests.utils import add_product, assert_problem, start_and_join


def spring(request: checkout.DiscountRequest) -> Discount | None:
    """A stand-in discount provider (another room's offers): SPRING takes 10 % off, once per shopper."""
    if request.code != "SPRING":
        return None
    if store.code_used(request.db, request.user_id, request.code):
        raise UnknownCode("SPRING was used already")
    return Discount(code="SPRING", amount=request.subtotal // 10, offer_id="offer-spring")


@pytest.fixture
def hooks():
    """Every room's hooks, and the stand-in provider after retention's."""
    return install(discount_providers=(*DISCOUNT_PROVIDERS, spring))


@pytest.fixture
def shop(client, fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=5)
    add_product(fresh_db, "KETTLE", price=3_990, stock=2)
    return client


def order_headers(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def stock(database, sku: str) -> int:
    return database.read().execute("SELECT stock FROM products WHERE id = ?", [sku]).fetchone()[0]


def test_checkout_turns_the_synced_cart_into_an_order_at_catalog_prices(shop, fresh_db):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 2, "KETTLE": 1})
    response = shop.post("/api/orders", headers=order_headers(headers, "k1"))
    assert 201 == response.status_code, response.text
    body = response.json()
    assert {
        "status": "placed", "currency": "EUR", "subtotal": 6_490, "discount": 0, "total": 6_490, "code": None,
        "pointsEarned": 0,
    } == {k: body[k] for k in ("status", "currency", "subtotal", "discount", "total", "code", "pointsEarned")}
    assert [("KETTLE", 1, 3_990, 3_990), ("MUG", 2, 1_250, 2_500)] == [
        (l["sku"], l["qty"], l["unitPrice"], l["lineTotal"]) for l in body["lines"]
    ]
    assert {} == view(fresh_db, user, "cart/")                        # emptied in the same transaction
    assert (3, 1) == (stock(fresh_db, "MUG"), stock(fresh_db, "KETTLE"))
    assert "placed" == view(fresh_db, user)[f"orders/{body['id']}"]["status"]
    assert [body["id"]] == [o["id"] for o in shop.get("/api/orders", headers=headers).json()["items"]]
    assert body == shop.get(f"/api/orders/{body['id']}", headers=headers).json()


def test_client_cannot_set_prices_or_totals(shop, fresh_db):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    response = shop.post("/api/orders", headers=order_headers(headers, "k1"), json={"total": 1, "price": 0})
    assert_problem(response, 422, "total")
    assert [] == shop.get("/api/orders", headers=headers).json()["items"]


def test_same_key_replays_the_first_response_and_a_different_body_is_refused(shop, fresh_db):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    first = shop.post("/api/orders", headers=order_headers(headers, "same"), json={})
    fill_cart(fresh_db, user, {"MUG": 1})                             # even with a new cart, the key replays
    again = shop.post("/api/orders", headers=order_headers(headers, "same"), content=b"{ }")
    assert (201, 201) == (first.status_code, again.status_code)
    assert first.content == again.content
    assert "true" == again.headers["idempotent-replayed"]
    assert 1 == len(shop.get("/api/orders", headers=headers).json()["items"])
    other = shop.post("/api/orders", headers=order_headers(headers, "same"), json={"code": "SPRING"})
    assert_problem(other, 422, "different request")
    # Keys are per shopper: another shopper's identical key is a new checkout.
    headers_b, user_b = shopper(shop, "b@example.com")
    fill_cart(fresh_db, user_b, {"MUG": 1})
    assert 201 == shop.post("/api/orders", headers=order_headers(headers_b, "same")).status_code
    assert first.json()["id"] != shop.get("/api/orders", headers=headers_b).json()["items"][0]["id"]


def test_concurrent_duplicates_make_one_order(shop, fresh_db):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    results, barrier = [], threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        results.append(service.place_order(fresh_db, user, "dup-key", b'{"code": null}', discount_providers=DISCOUNT_PROVIDERS))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    start_and_join(threads)
    assert 1 == len({r.body for r in results})
    assert 1 == sum(not r.replayed for r in results)
    assert 1 == len(store.list_orders(fresh_db.read(), user, None, 10))
    assert 4 == stock(fresh_db, "MUG")


def test_retries_after_a_failure_can_reuse_the_key(shop, fresh_db):
    headers, user = shopper(shop, "a@example.com")
    assert_problem(shop.post("/api/orders", headers=order_headers(headers, "k")), 422, "empty")
    fill_cart(fresh_db, user, {"KETTLE": 3})
    body = assert_problem(shop.post("/api/orders", headers=order_headers(headers, "k")), 409, "KETTLE")
    assert "KETTLE" == body["errors"][0]["line"]
    assert 2 == stock(fresh_db, "KETTLE") and {"cart/KETTLE"} == set(view(fresh_db, user, "cart/"))
    fill_cart(fresh_db, user, {"KETTLE": 2})
    assert 201 == shop.post("/api/orders", headers=order_headers(headers, "k")).status_code
    assert 0 == stock(fresh_db, "KETTLE")


def test_checkout_needs_a_key_and_a_shopper(shop, fresh_db):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 1})
    assert_problem(shop.post("/api/orders", headers=headers), 400, "Idempotency-Key")
    assert_problem(shop.post("/api/orders", headers=order_headers(headers, "x" * 201)), 400, "Idempotency-Key")
    assert 401 == shop.post("/api/orders", headers={"Idempotency-Key": "k"}).status_code
    assert 401 == shop.get("/api/orders").status_code


def test_another_shoppers_order_is_not_found(shop, fresh_db):
    headers_a, user_a = shopper(shop, "a@example.com")
    headers_b, _ = shopper(shop, "b@example.com")
    fill_cart(fresh_db, user_a, {"MUG": 1})
    order_id = shop.post("/api/orders", headers=order_headers(headers_a, "k")).json()["id"]
    assert_problem(shop.get(f"/api/orders/{order_id}", headers=headers_b), 404, str(order_id))
    assert [] == shop.get("/api/orders", headers=headers_b).json()["items"]
    assert_problem(shop.get("/api/orders/999999", headers=headers_a), 404)


def test_order_list_pages_newest_first(shop, fresh_db):
    add_product(fresh_db, "PEN", price=100, stock=100)
    headers, user = shopper(shop, "a@example.com")
    ids = []
    for i in range(5):
        fill_cart(fresh_db, user, {"PEN": 1})
        ids.append(shop.post("/api/orders", headers=order_headers(headers, f"k{i}")).json()["id"])
    seen, cursor = [], None
    while True:
        page = shop.get("/api/orders", headers=headers, params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert list(reversed(ids)) == seen


def test_status_moves_are_admin_only_and_follow_the_life_cycle(shop, fresh_db, admin_headers):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 2})
    order_id = shop.post("/api/orders", headers=order_headers(headers, "k")).json()["id"]
    url = f"/api/admin/orders/{order_id}/status"
    assert_problem(shop.post(url, headers=headers, json={"status": "paid"}), 401)
    assert_problem(shop.post(url, json={"status": "paid"}), 401)
    assert_problem(shop.post(url, headers=admin_headers, json={"status": "fulfilled"}), 409, "placed")
    assert_problem(shop.post(url, headers=admin_headers, json={"status": "refunded"}), 409)
    assert_problem(shop.post(url, headers=admin_headers, json={"status": "shipped"}), 400)
    assert_problem(shop.post(url, headers=admin_headers, json={"status": "paid", "extra": 1}), 400)
    assert_problem(shop.post("/api/admin/orders/999/status", headers=admin_headers, json={"status": "paid"}), 404)
    paid = shop.post(url, headers=admin_headers, json={"status": "paid"})
    assert ("paid", 25 + 1_000) == (paid.json()["status"], paid.json()["pointsEarned"])
    assert paid.json() == shop.post(url, headers=admin_headers, json={"status": "paid"}).json()  # webhook retry
    assert_problem(shop.post(url, headers=admin_headers, json={"status": "cancelled"}), 409)
    assert "fulfilled" == shop.post(url, headers=admin_headers, json={"status": "fulfilled"}).json()["status"]
    refunded = shop.post(url, headers=admin_headers, json={"status": "refunded"}).json()
    assert ("refunded", 1_025) == (refunded["status"], refunded["pointsReversed"])
    assert 3 == stock(fresh_db, "MUG")                                # refunded after shipping: not restocked
    assert_problem(shop.post(url, headers=admin_headers, json={"status": "paid"}), 409)
    assert "refunded" == view(fresh_db, user)[f"orders/{order_id}"]["status"]
    points = shop.get("/api/loyalty/points", headers=headers).json()
    assert (0, 0) == (points["balance"], points["pending"])


def test_cancelling_restocks(shop, fresh_db, admin_headers):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"KETTLE": 2})
    order_id = shop.post("/api/orders", headers=order_headers(headers, "k")).json()["id"]
    assert 0 == stock(fresh_db, "KETTLE")
    shop.post(f"/api/admin/orders/{order_id}/status", headers=admin_headers, json={"status": "cancelled"})
    assert 2 == stock(fresh_db, "KETTLE")


def test_offer_codes_go_through_registered_discount_providers(shop, fresh_db, admin_headers):
    headers, user = shopper(shop, "a@example.com")
    fill_cart(fresh_db, user, {"MUG": 4})
    body = shop.post("/api/orders", headers=order_headers(headers, "k1"), json={"code": "SPRING"}).json()
    assert (5_000, 500, 4_500, "SPRING") == (body["subtotal"], body["discount"], body["total"], body["code"])
    fill_cart(fresh_db, user, {"MUG": 1})
    assert_problem(shop.post("/api/orders", headers=order_headers(headers, "k2"), json={"code": "SPRING"}), 422, "used")
    assert_problem(shop.post("/api/orders", headers=order_headers(headers, "k3"), json={"code": "NOPE"}), 422, "NOPE")
    assert {"cart/MUG"} == set(view(fresh_db, user, "cart/"))      # refused checkouts leave the cart alone
    shop.post(f"/api/admin/orders/{body['id']}/status", headers=admin_headers, json={"status": "paid"})
    assert [{"offer_id": "offer-spring", "currency": "EUR", "orders": 1, "revenue": 4_500, "discount": 500}] == (
        store.revenue_per_offer(fresh_db.read())
    )
    assert [body["id"]] == [o["id"] for o in store.orders_with_offer(fresh_db.read(), "offer-spring")]


def test_points_mall_coupons_are_codes_at_checkout(shop, fresh_db, admin_headers):
    headers, user = shopper(shop, "a@example.com")
    with fresh_db.write() as db:
        db.execute("UPDATE products SET stock = 50 WHERE id = 'MUG'")
    created = shop.post("/api/admin/rewards", headers=admin_headers, json={
        "id": "five-off", "name": "5 off", "kind": "coupon", "pointsCost": 500, "stock": 3, "value": 500,
        "currency": "EUR"})
    assert 201 == created.status_code, created.text
    fill_cart(fresh_db, user, {"MUG": 1})
    first = shop.post("/api/orders", headers=order_headers(headers, "k0")).json()
    shop.post(f"/api/admin/orders/{first['id']}/status", headers=admin_headers, json={"status": "paid"})
    from datetime import datetime, timedelta, timezone

    coupon = service.redeem(fresh_db, user, "five-off", datetime.now(timezone.utc) + timedelta(days=8))
    assert coupon.code == view(fresh_db, user)[f"coupons/{coupon.code}"]["code"]
    fill_cart(fresh_db, user, {"MUG": 2})
    body = shop.post("/api/orders", headers=order_headers(headers, "k1"), json={"code": coupon.code}).json()
    assert (2_500, 500, 2_000) == (body["subtotal"], body["discount"], body["total"])
    assert body["id"] == view(fresh_db, user)[f"coupons/{coupon.code}"]["usedOrderId"]
    fill_cart(fresh_db, user, {"MUG": 1})
    assert_problem(shop.post("/api/orders", headers=order_headers(headers, "k2"), json={"code": coupon.code}), 422, "used")
    # Cancelling the order gives the coupon back.
    shop.post(f"/api/admin/orders/{body['id']}/status", headers=admin_headers, json={"status": "cancelled"})
    assert view(fresh_db, user)[f"coupons/{coupon.code}"]["usedOrderId"] is None
    assert 201 == shop.post("/api/orders", headers=order_headers(headers, "k3"), json={"code": coupon.code}).status_code


def test_a_vanished_product_is_reported(shop, fresh_db):
    headers, user = shopper(shop, "a@example.com")
    with fresh_db.write() as db:
        sync_store.put_view(db, user, "cart/GONE", {"sku": "GONE", "qty": 1, "addedAt": 0})
    assert_problem(shop.post("/api/orders", headers=order_headers(headers, "k")), 409, "GONE")


def test_out_of_range_ids_are_bad_input(shop, admin_headers):
    headers, _ = shopper(shop, "a@example.com")
    assert_problem(shop.get(f"/api/orders/{2**70}", headers=headers), 400)
    assert_problem(shop.get("/api/orders", headers=headers, params={"cursor": 2**70}), 400)
    assert_problem(shop.post(f"/api/admin/orders/{2**70}/status", headers=admin_headers, json={"status": "paid"}), 400)
    assert_problem(shop.patch(f"/api/admin/rewards/{'x' * 60}", headers=admin_headers, json={"stock": 1}), 400)
    assert 200 == shop.get("/schema/openapi.json").status_code
