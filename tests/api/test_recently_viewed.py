"""Recently viewed, synced: a view on one device shows on the shopper's others, newest first, deduped, capped;
the same mutation counts the view in the browse history retention reads."""

from __future__ import annotations

import time
import uuid

import pytest

from recs.recent import MAX_RECENT, merged
from retention import audience_store
from tests.utils import add_product, apply_patch, log_in, sign_up


def _push(client, headers, client_id, first_id, *mutations, at=None):
    at = at or int(time.time() * 1000)
    body = {"clientId": client_id, "mutations": [
        {"id": first_id + i, "name": name, "args": args, "at": at + i} for i, (name, args) in enumerate(mutations)
    ]}
    response = client.post("/api/sync/push", headers=headers, json=body)
    assert 200 == response.status_code, response.text
    return response.json()


def _view_of(client, headers, client_id):
    view: dict = {}
    response = client.post("/api/sync/pull", headers=headers, json={"clientId": client_id, "cookie": None, "schemaVersion": 1})
    assert 200 == response.status_code, response.text
    apply_patch(view, response.json()["patch"])
    return view


def test_a_view_on_one_device_shows_on_the_other_newest_first(client, fresh_db):
    for sku in ("A", "B", "C"):
        add_product(fresh_db, sku, stock=5)
    phone = sign_up(client)
    laptop = log_in(client)
    phone_id, laptop_id = str(uuid.uuid4()), str(uuid.uuid4())
    # Stamped explicitly: on a fast machine the laptop's clock reading could equal the phone's last stamp + 2 ms,
    # and a tie sorts by SKU (A before C), which CI met once.
    base = int(time.time() * 1000)
    _push(client, phone, phone_id, 1, ("recent.view", {"sku": "A"}), ("recent.view", {"sku": "B"}), ("recent.view", {"sku": "A"}),
          at=base)
    assert [] == _push(client, laptop, laptop_id, 1, ("recent.view", {"sku": "C"}), at=base + 1_000)["errors"]
    recent = _view_of(client, laptop, laptop_id)["recent"]
    assert ["C", "A", "B"] == [item["sku"] for item in recent["items"]]
    assert recent == _view_of(client, phone, phone_id)["recent"]


def test_views_are_counted_in_the_browse_history(client, fresh_db):
    add_product(fresh_db, "A")
    phone = sign_up(client)
    _push(client, phone, str(uuid.uuid4()), 1, ("recent.view", {"sku": "A"}), ("recent.view", {"sku": "A"}))
    user_id = int(phone["X-Test-User"])
    with fresh_db.snapshot() as db:
        assert {user_id: {"A": 2}} == audience_store.product_views_since(db, [user_id], "2000-01-01")


def test_an_unknown_product_is_a_permanent_error_and_changes_nothing(client, fresh_db):
    phone = sign_up(client)
    client_id = str(uuid.uuid4())
    answer = _push(client, phone, client_id, 1, ("recent.view", {"sku": "NOPE"}))
    assert (1, ["unknown-sku"]) == (answer["lastMutationId"], [e["code"] for e in answer["errors"]])
    assert "recent" not in _view_of(client, phone, client_id)


def test_clear_wins_over_older_views_that_arrive_after_it(client, fresh_db):
    for sku in ("A", "B"):
        add_product(fresh_db, sku)
    phone = sign_up(client)
    laptop = log_in(client)
    phone_id, laptop_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = int(time.time() * 1000)
    _push(client, phone, phone_id, 1, ("recent.clear", {}), at=now)
    _push(client, laptop, laptop_id, 1, ("recent.view", {"sku": "A"}), at=now - 60_000)  # made offline, before the clear
    _push(client, laptop, laptop_id, 2, ("recent.view", {"sku": "B"}), at=now + 10)
    assert ["B"] == [item["sku"] for item in _view_of(client, phone, phone_id)["recent"]["items"]]


def test_the_list_keeps_the_latest_views_whatever_order_they_arrive_in():
    views = [(f"P{i % 40}", 1000 + i) for i in range(90)]
    forward = backward = None
    for sku, at in views:
        forward = merged(forward, sku, at)
    for sku, at in reversed(views):
        backward = merged(backward, sku, at)
    assert forward == backward
    assert MAX_RECENT == len(forward["items"])
    assert [f"P{i % 40}" for i in range(89, 59, -1)] == [item["sku"] for item in forward["items"]]


@pytest.mark.parametrize("args", [{}, {"sku": ""}, {"sku": "x" * 65}, {"sku": 7}])
def test_bad_args_are_a_permanent_error(client, args):
    phone = sign_up(client)
    answer = _push(client, phone, str(uuid.uuid4()), 1, ("recent.view", args))
    assert ["bad-args"] == [e["code"] for e in answer["errors"]]
