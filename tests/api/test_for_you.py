""""For you": item neighbours learnt by a refresh, weighted by the caller's own recency and frequency, without
what they bought, popular items for new shoppers or without consent to analytics; the caller's own only."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

import clock
from accounts import consents
from recs import service, store
from tests.loyalty_support import buy, make_user
from tests.utils import add_product, assert_problem, sign_up

SKUS = ("A", "B", "C", "D", "E", "F")


def _agree(database, user_id: int) -> None:
    with database.write() as db:
        consents.record(db, user_id, consents.ANALYTICS, True, int(time.time() * 1000))


def _shop(database) -> None:
    """Shoppers who bought A bought B too (C less often); D and E sell on their own, E the most."""
    for sku in SKUS:
        add_product(database, sku, name=f"Item {sku}", stock=50)
    now = clock.now()
    baskets = [{"A": 1, "B": 1}, {"A": 1, "B": 1}, {"A": 1, "C": 1}, {"E": 1}, {"E": 1}, {"E": 1}, {"D": 1}, {"A": 1, "F": 1}]
    for i, basket in enumerate(baskets):
        buy(database, make_user(database), basket, now - timedelta(days=i + 1))
    add_product(database, "F", name="Item F", stock=0)  # sold out since


def _for_you(client, headers, **params):
    response = client.get("/api/me/recommendations", headers=headers, params=params)
    assert 200 == response.status_code, response.text
    body = response.json()
    return [item["id"] for item in body["items"]], body["basis"]


def test_a_new_shopper_gets_the_popular_products(client, fresh_db):
    _shop(fresh_db)
    service.refresh(fresh_db, clock.now())
    assert (["A", "E", "B", "C", "D"], "popular") == _for_you(client, sign_up(client))  # F is sold out


def test_a_shopper_who_bought_a_gets_what_others_bought_with_it_and_not_a_again(client, fresh_db):
    _shop(fresh_db)
    headers = sign_up(client)
    user_id = int(headers["X-Test-User"])
    _agree(fresh_db, user_id)
    buy(fresh_db, user_id, {"A": 1}, clock.now() - timedelta(days=2))
    service.refresh(fresh_db, clock.now())
    items, basis = _for_you(client, headers)
    assert "history" == basis
    assert ["B", "C"] == items[:2]
    assert "A" not in items and "F" not in items


def test_recent_frequent_views_outweigh_an_old_purchase(client, fresh_db):
    _shop(fresh_db)
    for i in range(3):  # three more shoppers bought D and E together
        buy(fresh_db, make_user(fresh_db), {"D": 1, "E": 1}, clock.now() - timedelta(days=10 + i))
    headers = sign_up(client)
    user_id = int(headers["X-Test-User"])
    _agree(fresh_db, user_id)
    buy(fresh_db, user_id, {"A": 1}, clock.now() - timedelta(days=300))
    body = {"clientId": str(uuid.uuid4()), "mutations": [
        {"id": i, "name": "recent.view", "args": {"sku": "D"}, "at": int(time.time() * 1000) + i} for i in (1, 2, 3)
    ]}
    assert 200 == client.post("/api/sync/push", headers=headers, json=body).status_code
    service.refresh(fresh_db, clock.now())
    items, basis = _for_you(client, headers, limit=3)
    assert ("E", "history") == (items[0], basis)
    assert "A" not in items


def test_without_consent_to_analytics_the_history_is_not_used(client, fresh_db):
    _shop(fresh_db)
    headers = sign_up(client)
    buy(fresh_db, int(headers["X-Test-User"]), {"A": 1}, clock.now() - timedelta(days=2))
    service.refresh(fresh_db, clock.now())
    assert "popular" == _for_you(client, headers)[1]


def test_each_shopper_gets_their_own(client, fresh_db):
    _shop(fresh_db)
    mine = sign_up(client)
    _agree(fresh_db, int(mine["X-Test-User"]))
    buy(fresh_db, int(mine["X-Test-User"]), {"A": 1}, clock.now() - timedelta(days=2))
    theirs = sign_up(client, email="other@example.com")
    service.refresh(fresh_db, clock.now())
    assert ("history", "popular") == (_for_you(client, mine)[1], _for_you(client, theirs)[1])


def test_a_refresh_replaces_the_whole_model(fresh_db):
    _shop(fresh_db)
    first = service.refresh(fresh_db, clock.now())
    with fresh_db.write() as db:
        store.replace_model(db, {"A": [("Z", 1.0)]}, [("Z", 1.0)], "2026-01-01T00:00:00.000000Z", 1)
    assert first == service.refresh(fresh_db, clock.now())
    with fresh_db.snapshot() as db:
        assert "Z" not in [sku for sku, _ in store.neighbours_of(db, ["A"])["A"]]
        assert "Z" not in store.popular(db, 50)


def test_before_any_refresh_the_list_is_empty_not_an_error(client, fresh_db):
    _shop(fresh_db)
    assert ([], "popular") == _for_you(client, sign_up(client))


def test_signed_out_is_a_401(client):
    assert_problem(client.get("/api/me/recommendations"), 401)


@pytest.mark.parametrize("limit", ["0", "25", "x"])
def test_limit_out_of_range_is_a_400_problem(client, limit):
    assert_problem(client.get("/api/me/recommendations", headers=sign_up(client), params={"limit": limit}), 400, "limit")
