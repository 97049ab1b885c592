"""Console writes over HTTP: stock and price, a catalog import with its progress, order status changes and refunds."""

from __future__ import annotations

import json
import time

from catalog import store as catalog_store
from operators import service
from tests.loyalty_support import fill_cart, shopper
from tests.operator_support import console_sign_in
from tests.utils import add_product


def test_a_merchandiser_edits_stock_and_price_and_bad_numbers_change_nothing(client, fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=5)
    csrf = console_sign_in(client, fresh_db, "m@example.com", "merchandiser")
    saved = client.post("/admin/catalog/products/MUG", data={"csrf": csrf, "stock": "12", "price": "990"},
                        follow_redirects=False)
    assert (303, "/admin/catalog?done=saved") == (saved.status_code, saved.headers["location"])
    assert 422 == client.post("/admin/catalog/products/MUG", data={"csrf": csrf, "stock": "-1", "price": "990"}).status_code
    assert 404 == client.post("/admin/catalog/products/NOPE", data={"csrf": csrf, "stock": "1", "price": "1"}).status_code
    product = catalog_store.get_product(fresh_db.read(), "MUG")
    assert (12, 990) == (product["stock"], product["price"])
    audited = [(e.status, e.detail) for e in service.audit_log(fresh_db) if e.target == "/admin/catalog/products/MUG"]
    assert [(422, "product MUG: stock -1, price 990"), (303, "product MUG: stock 12, price 990")] == audited  # newest first


def test_a_price_edit_leaves_the_stock_checkouts_took_since_the_page_was_shown(client, fresh_db):
    """The form sends the stock it showed back unchanged: units sold since then must not come back."""
    add_product(fresh_db, "MUG", price=1_250, stock=10)
    csrf = console_sign_in(client, fresh_db, "m@example.com", "merchandiser")
    assert 'name="stock_was" value="10"' in client.get("/admin/catalog").text
    with fresh_db.write() as db:  # a shopper's checkout, on any server, after the page was drawn
        assert catalog_store.take_stock(db, "MUG", 3, "2026-01-01T00:00:00Z")
    saved = client.post("/admin/catalog/products/MUG", data={"csrf": csrf, "stock": "10", "stock_was": "10",
                                                            "price": "990"}, follow_redirects=False)
    assert 303 == saved.status_code
    product = catalog_store.get_product(fresh_db.read(), "MUG")
    assert (7, 990) == (product["stock"], product["price"])
    client.post("/admin/catalog/products/MUG", data={"csrf": csrf, "stock": "20", "stock_was": "10", "price": "990"})
    assert 20 == catalog_store.get_product(fresh_db.read(), "MUG")["stock"]  # a stock the operator typed is set


def test_a_reward_edit_leaves_the_stock_redemptions_took_since_the_page_was_shown(client, fresh_db):
    """The rewards form sends the stock it showed back unchanged: rewards redeemed since then must not come back."""
    from loyalty import service as loyalty_service
    from loyalty import store as loyalty_store
    from loyalty.models import RewardInput

    loyalty_service.create_reward(fresh_db, RewardInput(id="mug", name="Mug", kind="coupon", points_cost=100, stock=10,
                                                        value=100, currency="EUR"))
    csrf = console_sign_in(client, fresh_db, "r@example.com", "owner")
    assert 'name="stock_was" value="10"' in client.get("/admin/rewards").text
    with fresh_db.write() as db:  # a redemption, on any server, after the page was drawn
        assert loyalty_store.take_reward_stock(db, "mug")
    saved = client.post("/admin/rewards/mug", data={"csrf": csrf, "pointsCost": "120", "stock": "10", "stock_was": "10",
                                                    "active": "1"}, follow_redirects=False)
    assert 303 == saved.status_code
    row = loyalty_store.get_reward(fresh_db.read(), "mug")
    assert (9, 120) == (row["stock"], row["points_cost"])


def test_a_catalog_import_runs_with_progress_and_reports_what_it_did(client, fresh_db):
    csrf = console_sign_in(client, fresh_db, "m@example.com", "merchandiser")
    lines = [{"id": f"IMP-{i}", "name": f"Imported {i}", "description": "From the console.", "price": 500 + i,
              "currency": "EUR", "category": "misc", "stock": 3, "images": []} for i in range(3)]
    body = "\n".join(json.dumps(line) for line in lines) + "\n{broken\n"
    started = client.post("/admin/catalog/import", data={"csrf": csrf},
                          files={"file": ("catalog.jsonl", body.encode(), "application/x-ndjson")}, follow_redirects=False)
    assert 303 == started.status_code, started.text
    job_page = started.headers["location"]
    deadline = time.monotonic() + 30
    status = client.get(job_page + "/status").json()
    while status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = client.get(job_page + "/status").json()
    assert ("done", status["total"]) == (status["state"], status["done"])
    assert "3 created" in status["text"] and "1 skipped" in status["text"]
    assert 'id="import-progress"' in client.get(job_page).text
    assert 3 == catalog_store.count_products(fresh_db.read())


def test_support_moves_an_order_and_refunds_it(client, fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=5)
    headers, user = shopper(client, "buyer@example.com")
    fill_cart(fresh_db, user, {"MUG": 2})
    order = client.post("/api/orders", headers={**headers, "Idempotency-Key": "console-1"})
    assert 201 == order.status_code, order.text
    order_id = order.json()["id"]
    client.cookies.clear()
    csrf = console_sign_in(client, fresh_db, "s@example.com", "support")
    assert 422 == client.post(f"/admin/orders/{order_id}/status", data={"csrf": csrf, "status": "lost"}).status_code
    assert 404 == client.post("/admin/orders/999999/status", data={"csrf": csrf, "status": "paid"}).status_code
    for status in ("paid", "refunded"):
        moved = client.post(f"/admin/orders/{order_id}/status", data={"csrf": csrf, "status": status},
                            follow_redirects=False)
        assert 303 == moved.status_code, moved.text
    assert "refunded" == client.get(f"/api/orders/{order_id}", headers=headers).json()["status"]
    assert 5 == catalog_store.get_product(fresh_db.read(), "MUG")["stock"]  # a refund restocks
    moves = [(e.status, e.detail) for e in service.audit_log(fresh_db) if e.target == f"/admin/orders/{order_id}/status"]
    assert [(303, f"order {order_id} -> refunded"), (303, f"order {order_id} -> paid"),
            (422, f"order {order_id} -> lost")] == moves
