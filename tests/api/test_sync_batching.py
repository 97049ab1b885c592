"""A push's buffered unit of work (sync.store.buffered): a few statements per push, same result as one by one."""

from __future__ import annotations

import random
import uuid

import msgspec
import pytest

from accounts import store as accounts_store
from catalog import store as catalog_store
from server.wiring import install
from sync import engine
from sync import store as sync_store
from sync.limits import SyncLimits
from sync.models import PullRequest, PushRequest, Put
from tests.utils import add_product

SKUS = ["MUG-1", "TEE-2", "GONE-3", "CAP-4"]
MUTATORS = install().mutators


@pytest.fixture
def shop(fresh_db):
    add_product(fresh_db, "MUG-1", stock=5)
    add_product(fresh_db, "TEE-2", stock=1)
    add_product(fresh_db, "GONE-3", stock=0)
    add_product(fresh_db, "CAP-4", stock=3)
    return fresh_db


def new_user(database) -> int:
    with database.write() as db:
        return accounts_store.create_user(db, f"{uuid.uuid4().hex[:10]}@example.com", "-", 0)


def push(database, user_id: int, client_id: str, mutations: list[dict]) -> engine.PushResponse:
    body = msgspec.json.encode({"clientId": client_id, "mutations": mutations})
    return engine.push(database, user_id, engine.decode(body, PushRequest), SyncLimits(), MUTATORS)


def view(database, user_id: int, client_id: str) -> dict:
    patch = engine.pull(database, user_id, PullRequest(client_id=client_id)).patch
    return {op.key: msgspec.json.decode(op.value) for op in patch if isinstance(op, Put)}


def mixed(n: int, seed: int) -> list[dict]:
    """n mutations of every kind the buffer serves, including ones that fail (unknown or sold-out SKUs)."""
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        sku = rng.choice(SKUS + ["NOPE-9"])
        kind = rng.choice(["cart.add", "cart.add", "cart.setQty", "cart.remove", "wishlist.add", "wishlist.remove",
                           "prefs.set", "address.put", "address.remove", "cart.clear"])
        args: dict
        if kind in ("cart.add",):
            args = {"sku": sku, "qty": rng.randint(1, 3)}
        elif kind == "cart.setQty":
            args = {"sku": sku, "qty": rng.randint(0, 4)}
        elif kind in ("cart.remove", "wishlist.add", "wishlist.remove"):
            args = {"sku": sku}
        elif kind == "prefs.set":
            args = {"name": rng.choice(["locale", "theme", "birthday"]), "value": rng.randint(0, 9)}
        elif kind == "address.put":
            args = {"id": rng.choice(["home", "work"]), "name": "A", "line1": f"{i} Road", "city": "Town", "country": "DE"}
        elif kind == "address.remove":
            args = {"id": rng.choice(["home", "work"])}
        else:
            args = {}
        out.append({"id": i, "name": kind, "args": args, "at": 1_700_000_000_000 + rng.randint(0, 50)})
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_one_push_ends_where_one_push_per_mutation_ends(shop, seed):
    """The buffer is invisible: the view, errors and lastMutationId match applying each mutation alone."""
    mutations = mixed(40, seed)
    together, alone = new_user(shop), new_user(shop)
    client_a, client_b = str(uuid.uuid4()), str(uuid.uuid4())
    response = push(shop, together, client_a, mutations)
    errors = []
    for m in mutations:
        errors += push(shop, alone, client_b, [m]).errors
    assert 40 == response.last_mutation_id
    assert [(e.id, e.code) for e in errors] == [(e.id, e.code) for e in response.errors]
    expected = view(shop, alone, client_b)
    assert len(expected) >= 3, expected  # the case table exercises what it claims to
    assert expected == view(shop, together, client_a)


def count_statements(monkeypatch) -> list[str]:
    seen: list[str] = []
    real_ex, real_get_product = sync_store._ex, catalog_store.get_product

    def counted_ex(db, sql, params=()):
        seen.append(sql)
        return real_ex(db, sql, params)

    def counted_get_product(db, product_id):
        seen.append("get_product")
        return real_get_product(db, product_id)

    monkeypatch.setattr(sync_store, "_ex", counted_ex)
    monkeypatch.setattr(catalog_store, "get_product", counted_get_product)
    return seen


def lines(n: int) -> list[dict]:
    return [
        {"id": i, "name": "cart.add" if i % 3 else "prefs.set",
         "args": {"sku": SKUS[i % 2], "qty": 1} if i % 3 else {"name": f"p{i % 5}", "value": i}, "at": 1}
        for i in range(1, n + 1)
    ]


def test_a_push_reads_and_writes_in_a_fixed_number_of_statements(shop, monkeypatch):
    """On PostgreSQL a statement is a round trip: a push of 60 mutations costs what a push of 6 does."""
    seen = count_statements(monkeypatch)
    push(shop, new_user(shop), str(uuid.uuid4()), lines(6))
    small = len(seen)
    seen.clear()
    push(shop, new_user(shop), str(uuid.uuid4()), lines(60))
    assert small == len(seen)
    assert 12 >= small


def test_a_failing_mutation_drops_only_its_own_buffered_writes(shop):
    """ROLLBACK TO the savepoint also empties the buffer: the good mutations are replayed, the bad one leaves nothing."""
    user, client_id = new_user(shop), str(uuid.uuid4())
    response = push(shop, user, client_id, [
        {"id": 1, "name": "cart.add", "args": {"sku": "MUG-1", "qty": 2}, "at": 1},
        {"id": 2, "name": "prefs.set", "args": {"name": "theme", "value": "dark"}, "at": 1},
        {"id": 3, "name": "cart.add", "args": {"sku": "GONE-3"}, "at": 1},
        {"id": 4, "name": "cart.add", "args": {"sku": "MUG-1", "qty": 1}, "at": 1},
    ])
    assert [(3, "unavailable")] == [(e.id, e.code) for e in response.errors]
    got = view(shop, user, client_id)
    assert 3 == got["cart/MUG-1"]["qty"]
    assert "dark" == got["prefs/theme"]
    assert "cart/GONE-3" not in got
    assert (1, client_id) == sync_store.get_lww(shop.read(), user, "prefs/theme")
