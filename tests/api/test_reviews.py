"""Reviews: only shoppers a product was delivered to write one (one per product, rewritable, growth once), the
rating and reviews newest first by keyset cursor, reviewers by the name they chose and never an email."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from loyalty import service, tiers
from tests.loyalty_support import buy, move, shopper
from tests.utils import add_product, assert_problem

NOW = datetime.now(timezone.utc)


def delivered(database, user: int, sku: str) -> int:
    order_id = buy(database, user, {sku: 1}, NOW - timedelta(days=2))
    move(database, order_id, "fulfilled", NOW - timedelta(days=1))
    service.mark_delivered(database, order_id, NOW - timedelta(hours=2), hold_days=7)  # the carrier's confirmation
    return order_id


@pytest.fixture
def tea(fresh_db):
    add_product(fresh_db, "TEA", price=1_200, stock=100)
    return "TEA"


def review(client, headers, sku: str, rating: int, text: str, **more):
    return client.put(f"/api/products/{sku}/review", headers=headers, json={"rating": rating, "text": text, **more})


def test_a_shopper_with_a_delivered_order_reviews_once_and_may_rewrite(client, fresh_db, tea):
    headers, user = shopper(client, "reviewer@example.com")
    delivered(fresh_db, user, tea)
    growth = tiers.growth(fresh_db.read(), user, NOW)
    first = review(client, headers, tea, 4, "Good tea.", displayName="Lin")
    assert (200, True, 20) == (first.status_code, first.json()["created"], first.json()["growthAdded"])
    assert growth + 20 == tiers.growth(fresh_db.read(), user, NOW)
    again = review(client, headers, tea, 5, "Even better the second week.")
    assert (False, 0, first.json()["review"]["id"]) == (again.json()["created"], again.json()["growthAdded"],
                                                        again.json()["review"]["id"])
    page = client.get(f"/api/products/{tea}/reviews").json()
    assert (1, 5.0) == (page["count"], page["average"])
    (item,) = page["items"]
    assert {"rating": 5, "text": "Even better the second week.", "displayName": None} == {
        k: item[k] for k in ("rating", "text", "displayName")}
    assert growth + 20 == tiers.growth(fresh_db.read(), user, NOW)  # growth once per product


@pytest.mark.parametrize("case, status, word", [
    ("never bought", 403, "delivered"),
    ("paid, not delivered", 403, "delivered"),
    ("shipped, not delivered", 403, "delivered"),
    ("refunded", 403, "delivered"),
    ("unknown product", 404, "NOPE"),
])
def test_only_what_was_delivered_can_be_reviewed(client, fresh_db, tea, case, status, word):
    headers, user = shopper(client, "picky@example.com")
    sku = tea
    if case == "paid, not delivered":
        buy(fresh_db, user, {tea: 1}, NOW - timedelta(days=1))
    elif case == "shipped, not delivered":
        move(fresh_db, buy(fresh_db, user, {tea: 1}, NOW - timedelta(days=1)), "fulfilled", NOW - timedelta(hours=1))
    elif case == "refunded":
        move(fresh_db, delivered(fresh_db, user, tea), "refunded", NOW)
    elif case == "unknown product":
        sku = "NOPE"
    assert_problem(review(client, headers, sku, 3, "Hm."), status, word)
    assert 0 == client.get(f"/api/products/{tea}/reviews").json()["count"]


def test_my_review_says_whether_i_may_write_one_and_holds_what_i_wrote(client, fresh_db, tea):
    headers, user = shopper(client, "mine@example.com")
    mine = f"/api/products/{tea}/review"
    assert {"reviewable": False, "review": None} == client.get(mine, headers=headers).json()  # nothing delivered
    delivered(fresh_db, user, tea)
    assert {"reviewable": True, "review": None} == client.get(mine, headers=headers).json()
    written = review(client, headers, tea, 4, "Good tea.", displayName="Lin").json()["review"]
    assert {"reviewable": True, "review": written} == client.get(mine, headers=headers).json()
    other, _ = shopper(client, "other@example.com")
    assert {"reviewable": False, "review": None} == client.get(mine, headers=other).json()  # only one's own
    assert_problem(client.get("/api/products/NOPE/review", headers=headers), 404, "NOPE")
    assert 401 == client.get(mine).status_code


@pytest.mark.parametrize("body", [
    {"rating": 0, "text": "x"}, {"rating": 6, "text": "x"}, {"rating": 3, "text": ""},
    {"rating": 3, "text": "x" * 2_001}, {"rating": 3, "text": "ok", "displayName": "me@example.com"},
    {"rating": 3, "text": "ok", "displayName": "x" * 41}, {"rating": 3, "text": "bell\x07"},
    {"rating": 3, "text": "ok", "extra": 1},
])
def test_bad_reviews_are_refused_and_change_nothing(client, fresh_db, tea, body):
    headers, user = shopper(client, "bad@example.com")
    delivered(fresh_db, user, tea)
    response = client.put(f"/api/products/{tea}/review", headers=headers, json=body)
    assert response.status_code in (400, 422), response.text
    assert 0 == client.get(f"/api/products/{tea}/reviews").json()["count"]


def test_writing_needs_a_signed_in_shopper(client, tea):
    assert 401 == client.put(f"/api/products/{tea}/review", json={"rating": 5, "text": "x"}).status_code


def test_reviews_page_newest_first_by_a_tamper_evident_cursor(client, fresh_db, tea):
    emails = [f"r{i}@example.com" for i in range(5)]
    for i, email in enumerate(emails):
        headers, user = shopper(client, email)
        delivered(fresh_db, user, tea)
        assert 200 == review(client, headers, tea, 1 + i, f"Review {i}").status_code
    first = client.get(f"/api/products/{tea}/reviews?limit=2").json()
    second = client.get(f"/api/products/{tea}/reviews?limit=2&cursor={first['nextCursor']}").json()
    third = client.get(f"/api/products/{tea}/reviews?limit=2&cursor={second['nextCursor']}").json()
    texts = [r["text"] for page in (first, second, third) for r in page["items"]]
    assert ([f"Review {i}" for i in (4, 3, 2, 1, 0)], None, 3.0, 5) == (
        texts, third["nextCursor"], first["average"], first["count"])
    every = client.get(f"/api/products/{tea}/reviews").text
    assert not any(email in every or email.split("@")[0] in every for email in emails)
    assert "userId" not in every
    assert_problem(client.get(f"/api/products/{tea}/reviews?cursor={first['nextCursor']}x"), 400)
    add_product(fresh_db, "MUG")
    assert_problem(client.get(f"/api/products/MUG/reviews?cursor={first['nextCursor']}"), 400)


def test_the_reviews_answer_revalidates_with_an_etag(client, tea):
    first = client.get(f"/api/products/{tea}/reviews")
    assert (None, 0) == (first.json()["average"], first.json()["count"])
    again = client.get(f"/api/products/{tea}/reviews", headers={"If-None-Match": first.headers["etag"]})
    assert 304 == again.status_code
    assert_problem(client.get("/api/products/NOPE/reviews"), 404)


def test_a_deleted_account_takes_its_reviews_and_the_export_lists_them(client, fresh_db, tea):
    headers, user = shopper(client, "leaving@example.com")
    delivered(fresh_db, user, tea)
    review(client, headers, tea, 2, "Not for me.", displayName="Kim")
    exported = client.get("/api/me/export", headers=headers).json()["reviews"]
    assert [("TEA", 2, "Not for me.", "Kim")] == [(r["sku"], r["rating"], r["body"], r["display_name"]) for r in exported]
    deleted = client.request("DELETE", "/api/me", headers=headers, json={"password": "correct horse battery"})
    assert 204 == deleted.status_code, deleted.text
    assert 0 == client.get(f"/api/products/{tea}/reviews").json()["count"]
