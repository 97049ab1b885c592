"""Bought together: co-purchases from order history, cancelled and refunded orders left out, bounded input."""

from datetime import datetime, timezone

import pytest

from tests.loyalty_support import buy, make_user, move, place
from tests.utils import add_product, assert_problem

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def test_products_shared_by_most_orders_come_first(client, fresh_db):
    for sku in ("A", "B", "C", "D", "E"):
        add_product(fresh_db, sku, name=f"Item {sku}", stock=100)
    shopper = make_user(fresh_db)
    for i, lines in enumerate([{"A": 1, "B": 1}, {"A": 2, "B": 1, "C": 1}, {"A": 1, "C": 1}, {"A": 1, "B": 1}, {"D": 1}]):
        buy(fresh_db, shopper, lines, NOW.replace(minute=i))
    cancelled = place(fresh_db, shopper, {"A": 1, "E": 1}, NOW.replace(minute=30))
    move(fresh_db, cancelled, "cancelled", NOW.replace(minute=31))
    body = client.get("/api/products/A/bought-together").json()
    assert ["B", "C"] == [item["id"] for item in body["items"]]
    assert {"id", "name", "price", "currency", "category", "availability", "image"} == body["items"][0].keys()
    assert ["B"] == [i["id"] for i in client.get("/api/products/A/bought-together", params={"limit": 1}).json()["items"]]
    assert [] == client.get("/api/products/D/bought-together").json()["items"]


def test_unknown_product_is_a_404_problem(client):
    assert_problem(client.get("/api/products/NOPE-1/bought-together"), 404, "NOPE-1")


@pytest.mark.parametrize("limit", ["0", "21", "x"])
def test_limit_out_of_range_is_a_400_problem(client, fresh_db, limit):
    add_product(fresh_db, "A")
    assert_problem(client.get("/api/products/A/bought-together", params={"limit": limit}), 400, "limit")
