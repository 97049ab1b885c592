"""Sync API: every mutator, the push/pull rules, every limit and bad input, ownership, the view interface."""

from __future__ import annotations

import logging
import time
import uuid

import msgspec
import pytest

from server.wiring import MUTATORS, install
from sync import engine, poke
from sync import store as sync_store
from sync.errors import PermanentError, TemporaryError
from sync.mutators import Mutator, MutatorTable
from tests.utils import add_product, apply_patch, assert_problem, log_in, sign_up


def new_client_id() -> str:
    return str(uuid.uuid4())


class Device:
    """One installed client of a shopper: numbers its mutations, keeps its cookie and view like the PWA."""

    def __init__(self, client, headers, client_id: str | None = None):
        self.client = client
        self.headers = headers
        self.client_id = client_id or new_client_id()
        self.next_id = 1
        self.cookie = None
        self.view: dict = {}
        self.last_mutation_id = 0

    def mutation(self, mutation_name: str, /, at: int | None = None, **args) -> dict:
        m = {"id": self.next_id, "name": mutation_name, "args": args, "at": at if at is not None else int(time.time() * 1000)}
        self.next_id += 1
        return m

    def push(self, *mutations: dict, expect: int = 200) -> dict:
        response = self.client.post(
            "/api/sync/push", headers=self.headers, json={"clientId": self.client_id, "mutations": list(mutations)}
        )
        assert expect == response.status_code, response.text
        return response.json()

    def do(self, mutation_name: str, /, **args) -> dict:
        return self.push(self.mutation(mutation_name, **args))

    def pull(self) -> dict:
        response = self.client.post("/api/sync/pull", headers=self.headers, json={"clientId": self.client_id, "cookie": self.cookie})
        assert 200 == response.status_code, response.text
        body = response.json()
        apply_patch(self.view, body["patch"])
        self.cookie = body["cookie"]
        self.last_mutation_id = body["lastMutationId"]
        return body

    def synced(self) -> dict:
        self.pull()
        return self.view


@pytest.fixture
def shop(fresh_db):
    add_product(fresh_db, "MUG-1", stock=5)
    add_product(fresh_db, "TEE-2", stock=1)
    add_product(fresh_db, "GONE-3", stock=0)


@pytest.fixture
def ana(client, shop):
    return sign_up(client, email="ana@example.com")


@pytest.fixture
def phone(client, ana):
    return Device(client, ana)


@pytest.fixture
def laptop(client, ana):
    return Device(client, log_in(client, email="ana@example.com"))


def cart(view: dict) -> dict[str, int]:
    return {k.removeprefix("cart/"): v["qty"] for k, v in view.items() if k.startswith("cart/")}


# --- mutators -----------------------------------------------------------------------------------


def test_cart_add_adds_across_devices(phone, laptop):
    assert {"lastMutationId": 1, "errors": []} == phone.do("cart.add", sku="MUG-1", qty=1)
    assert {"lastMutationId": 1, "errors": []} == laptop.do("cart.add", sku="MUG-1", qty=1)
    assert {"MUG-1": 2} == cart(phone.synced())
    assert phone.view == laptop.synced()


def test_cart_add_keeps_the_first_added_at_and_caps_the_quantity(phone):
    phone.push(phone.mutation("cart.add", at=1_000, sku="MUG-1", qty=60))
    phone.push(phone.mutation("cart.add", at=2_000, sku="MUG-1", qty=60))
    assert {"cart/MUG-1": {"sku": "MUG-1", "qty": 99, "addedAt": 1_000}} == phone.synced()


def test_cart_add_defaults_to_one(phone):
    phone.do("cart.add", sku="TEE-2")
    assert {"TEE-2": 1} == cart(phone.synced())


def test_cart_set_qty_sets_the_last_applied_value_and_zero_removes(phone, laptop):
    phone.do("cart.add", sku="MUG-1", qty=3)
    laptop.do("cart.setQty", sku="MUG-1", qty=7)
    phone.do("cart.setQty", sku="MUG-1", qty=2)
    assert {"MUG-1": 2} == cart(laptop.synced())
    laptop.do("cart.setQty", sku="MUG-1", qty=0)
    assert {} == cart(phone.synced())


def test_cart_set_qty_may_change_a_line_whose_product_ran_out(client, fresh_db, phone):
    phone.do("cart.add", sku="TEE-2", qty=1)
    add_product(fresh_db, "TEE-2", stock=0)
    assert [] == phone.do("cart.setQty", sku="TEE-2", qty=3)["errors"]
    assert {"TEE-2": 3} == cart(phone.synced())


def test_cart_remove_and_clear(phone):
    phone.do("cart.add", sku="MUG-1")
    phone.do("cart.add", sku="TEE-2")
    phone.do("cart.remove", sku="MUG-1")
    assert {"TEE-2": 1} == cart(phone.synced())
    assert [] == phone.do("cart.remove", sku="MUG-1")["errors"]  # removing twice is fine
    phone.do("cart.clear")
    assert {} == cart(phone.synced())
    assert [] == phone.do("cart.clear")["errors"]


def test_wishlist_add_and_remove_are_idempotent(phone, laptop):
    phone.push(phone.mutation("wishlist.add", at=5, sku="GONE-3"))  # out of stock is fine on a wishlist
    laptop.push(laptop.mutation("wishlist.add", at=9, sku="GONE-3"))
    assert {"wishlist/GONE-3": {"sku": "GONE-3", "addedAt": 5}} == laptop.synced()
    phone.do("wishlist.remove", sku="GONE-3")
    assert [] == laptop.do("wishlist.remove", sku="GONE-3")["errors"]
    assert {} == phone.synced()


def test_prefs_last_writer_wins_by_hlc_whatever_the_arrival_order(phone, laptop):
    now = int(time.time() * 1000)
    laptop.push(laptop.mutation("prefs.set", at=now - 1_000, name="theme", value="dark"))
    phone.push(phone.mutation("prefs.set", at=now - 5_000, name="theme", value="light"))  # older: loses
    assert "dark" == phone.synced()["prefs/theme"]
    phone.push(phone.mutation("prefs.set", at=now, name="theme", value={"mode": "light", "contrast": 2}))
    assert {"mode": "light", "contrast": 2} == laptop.synced()["prefs/theme"]


def test_prefs_ties_go_to_the_greater_client_id(client, ana):
    low = Device(client, ana, client_id="aaaaaaaa-low")
    high = Device(client, ana, client_id="zzzzzzzz-high")
    high.push(high.mutation("prefs.set", at=1_000, name="lang", value="pt"))
    low.push(low.mutation("prefs.set", at=1_000, name="lang", value="en"))
    assert "pt" == low.synced()["prefs/lang"]


def test_prefs_far_future_at_is_clamped_to_server_time(phone, laptop):
    phone.push(phone.mutation("prefs.set", at=2**52, name="theme", value="skewed"))
    # A later honest write (30 s ahead of now: inside the allowed skew) still wins.
    laptop.push(laptop.mutation("prefs.set", at=int(time.time() * 1000) + 30_000, name="theme", value="honest"))
    assert "honest" == phone.synced()["prefs/theme"]


def test_clamp_rules():
    assert 1_000 == engine.clamp_at(0, 1_000)
    assert 1_000 == engine.clamp_at(1_000 + 61_000, 1_000)
    assert 1_000 + 59_000 == engine.clamp_at(1_000 + 59_000, 1_000)
    assert 5 == engine.clamp_at(5, 1_000)


# --- permanent errors -----------------------------------------------------------------------------


PERMANENT_ERRORS = [
    ("cart.add", {"sku": "NOPE-9"}, "unknown-sku"),
    ("cart.add", {"sku": "GONE-3"}, "unavailable"),
    ("cart.setQty", {"sku": "GONE-3", "qty": 1}, "unavailable"),
    ("cart.setQty", {"sku": "NOPE-9", "qty": 1}, "unknown-sku"),
    ("wishlist.add", {"sku": "NOPE-9"}, "unknown-sku"),
    ("cart.add", {"sku": "MUG-1", "qty": 0}, "bad-args"),
    ("cart.add", {"sku": "MUG-1", "qty": 100}, "bad-args"),
    ("cart.add", {"sku": "MUG-1", "qty": "2"}, "bad-args"),
    ("cart.add", {"qty": 1}, "bad-args"),
    ("cart.add", {"sku": "bad sku!"}, "bad-args"),
    ("cart.add", [1, 2], "bad-args"),
    ("cart.setQty", {"sku": "MUG-1"}, "bad-args"),
    ("cart.setQty", {"sku": "MUG-1", "qty": -1}, "bad-args"),
    ("wishlist.remove", {"sku": 7}, "bad-args"),
    ("prefs.set", {"name": "../etc", "value": 1}, "bad-args"),
    ("prefs.set", {"value": 1}, "bad-args"),
    ("points.fly", {}, "unknown-mutation"),
]


@pytest.mark.parametrize("name, args, code", PERMANENT_ERRORS)
def test_permanent_errors_advance_and_leave_an_error_in_that_clients_view_only(client, ana, laptop, name, args, code):
    Device(client, ana).do("cart.add", sku="MUG-1")
    before = dict(laptop.synced())
    device = Device(client, ana)  # a fresh client: its first mutation is a good one, the second is bad
    device.do("cart.remove", sku="NOT-IN-CART")
    result = device.push({"id": 2, "name": name, "args": args, "at": 1})
    assert 2 == result["lastMutationId"], (name, args)
    assert [code] == [e["code"] for e in result["errors"]], (name, args)
    view = device.synced()
    assert 2 == device.last_mutation_id
    assert {"id": 2, "name": name, "code": code} == {k: view["errors/2"][k] for k in ("id", "name", "code")}
    assert {"MUG-1": 1} == cart(view)
    # The other device sees no error entry and no change.
    assert before == laptop.synced()


# Stand-ins for other rooms' mutators, installed in this module's app the way server/wiring.py installs real ones.
FLAKY = {"fail": True}


def write_then_reject(ctx, args):
    sync_store.put_view(ctx.db, ctx.user_id, "cart/HALF", {"sku": "HALF", "qty": 1, "addedAt": 0})
    raise PermanentError("rejected", "no")


def flaky(ctx, args):
    if FLAKY["fail"]:
        sync_store.put_view(ctx.db, ctx.user_id, "cart/HALF", {"sku": "HALF", "qty": 1, "addedAt": 0})
        raise TemporaryError("payment provider is down")


def buggy(ctx, args):
    raise KeyError("oops")


STAND_INS = (
    Mutator("test.writeThenReject", dict, write_then_reject),
    Mutator("test.flaky", dict, flaky),
    Mutator("test.buggy", dict, buggy),
)


@pytest.fixture
def hooks():
    """Every room's hooks plus the stand-ins."""
    return install(mutators=(*MUTATORS, *STAND_INS))


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="registered already"):
        MutatorTable([*MUTATORS, Mutator("cart.add", dict, lambda ctx, args: None)])


def test_a_rejected_mutation_leaves_no_partial_write(phone):
    result = phone.push(phone.mutation("test.writeThenReject"), phone.mutation("cart.add", sku="MUG-1"))
    assert 2 == result["lastMutationId"]
    assert {"MUG-1": 1} == cart(phone.synced())


def test_a_temporary_failure_stops_the_push_without_advancing(phone, monkeypatch):
    monkeypatch.setitem(FLAKY, "fail", True)
    mutations = [phone.mutation("cart.add", sku="MUG-1"), phone.mutation("test.flaky"), phone.mutation("cart.add", sku="TEE-2")]
    assert {"lastMutationId": 1, "errors": []} == phone.push(*mutations)
    assert {"MUG-1": 1} == cart(phone.synced())
    FLAKY["fail"] = False
    assert {"lastMutationId": 3, "errors": []} == phone.push(*mutations)  # the client retries the same batch
    assert {"MUG-1": 1, "TEE-2": 1} == cart(phone.synced())


def test_a_mutator_bug_is_logged_and_does_not_wedge_the_client(phone, caplog):
    with caplog.at_level(logging.ERROR, logger="lastmile.sync"):
        result = phone.push(phone.mutation("test.buggy"))
    assert 1 == result["lastMutationId"]
    assert ["internal-error"] == [e["code"] for e in result["errors"]]
    assert "oops" not in result["errors"][0]["detail"]
    assert any("test.buggy" in r.getMessage() for r in caplog.records)


def test_only_the_newest_errors_are_kept(phone):
    phone.push(*[phone.mutation("nope.nope") for _ in range(25)])
    errors = sorted(int(k.split("/")[1]) for k in phone.synced() if k.startswith("errors/"))
    assert list(range(6, 26)) == errors


# --- the push rules ---------------------------------------------------------------------------------


def test_retried_pushes_apply_each_mutation_once(phone):
    batch = [phone.mutation("cart.add", sku="MUG-1"), phone.mutation("cart.add", sku="MUG-1")]
    assert 2 == phone.push(*batch)["lastMutationId"]
    assert 2 == phone.push(*batch)["lastMutationId"]
    assert 2 == phone.push(batch[1], batch[0], batch[1])["lastMutationId"]
    assert {"MUG-1": 2} == cart(phone.synced())


def test_a_gap_stops_the_push(phone):
    first, second, third = (phone.mutation("cart.add", sku="MUG-1") for _ in range(3))
    assert 1 == phone.push(first, third)["lastMutationId"]
    assert {"MUG-1": 1} == cart(phone.synced())
    assert 3 == phone.push(third, second)["lastMutationId"]  # out of order within a push is sorted
    assert {"MUG-1": 3} == cart(phone.synced())


def test_an_empty_push_answers_the_current_last_mutation_id(phone):
    phone.do("cart.add", sku="MUG-1")
    assert {"lastMutationId": 1, "errors": []} == phone.push()


def test_push_and_pull_speak_msgpack(client, ana):
    device = Device(client, ana)
    body = msgspec.msgpack.encode(
        {"clientId": device.client_id, "mutations": [{"id": 1, "name": "cart.add", "args": {"sku": "MUG-1", "qty": 2}, "at": 5}]}
    )
    headers = {**ana, "Content-Type": "application/msgpack", "Accept": "application/msgpack"}
    response = client.post("/api/sync/push", headers=headers, content=body)
    assert 200 == response.status_code, response.text
    assert {"lastMutationId": 1, "errors": []} == msgspec.msgpack.decode(response.content)
    pulled = client.post("/api/sync/pull", headers=headers, content=msgspec.msgpack.encode({"clientId": device.client_id}))
    assert "application/msgpack" == pulled.headers["content-type"]
    assert [{"op": "clear"}, {"op": "put", "key": "cart/MUG-1", "value": {"sku": "MUG-1", "qty": 2, "addedAt": 5}}] == (
        msgspec.msgpack.decode(pulled.content)["patch"]
    )


def test_unknown_fields_are_ignored(phone):
    response = phone.client.post(
        "/api/sync/push",
        headers=phone.headers,
        json={
            "clientId": phone.client_id,
            "future": True,
            "mutations": [{"id": 1, "name": "cart.add", "args": {"sku": "MUG-1", "gift": True}, "at": 1, "extra": 1}],
        },
    )
    assert {"lastMutationId": 1, "errors": []} == response.json()


# --- pull ---------------------------------------------------------------------------------------------


def test_pull_gives_deltas_with_tombstones_and_snapshots_for_unknown_cookies(client, phone):
    first = phone.pull()
    assert {"cookie": 0, "lastMutationId": 0, "patch": [{"op": "clear"}]} == first
    phone.do("cart.add", sku="MUG-1")
    phone.do("cart.add", sku="TEE-2")
    cookie = phone.pull()["cookie"]
    assert {"cookie": cookie, "lastMutationId": 2, "patch": []} == phone.pull()
    phone.do("cart.remove", sku="MUG-1")
    assert [{"op": "del", "key": "cart/MUG-1"}] == phone.pull()["patch"]


@pytest.mark.parametrize("ahead", [1000, None], ids=["cookie-from-the-future", "no-cookie"])
def test_pull_with_an_unknown_cookie_gives_a_snapshot(client, phone, ahead):
    phone.do("cart.add", sku="MUG-1")
    phone.do("cart.add", sku="TEE-2")
    cookie = phone.pull()["cookie"]
    phone.do("cart.remove", sku="MUG-1")
    phone.pull()
    stale = None if ahead is None else cookie + ahead
    response = client.post("/api/sync/pull", headers=phone.headers, json={"clientId": phone.client_id, "cookie": stale})
    assert [{"op": "clear"}, {"op": "put", "key": "cart/TEE-2", "value": {"sku": "TEE-2", "qty": 1, "addedAt": phone.view["cart/TEE-2"]["addedAt"]}}] == response.json()["patch"]


def test_cookies_older_than_the_tombstone_horizon_get_a_full_snapshot(client, fresh_db, phone, laptop):
    phone.do("cart.add", sku="MUG-1")
    phone.do("cart.add", sku="TEE-2")
    old = laptop.pull()["cookie"]
    phone.do("cart.remove", sku="MUG-1")
    recent = phone.pull()["cookie"]
    assert 1 == engine.prune_tombstones(fresh_db, older_than_days=30, now=time.time() + 31 * 86_400)
    stale = client.post("/api/sync/pull", headers=laptop.headers, json={"clientId": laptop.client_id, "cookie": old}).json()
    assert ["clear", "put"] == [op["op"] for op in stale["patch"]]
    fresh = client.post("/api/sync/pull", headers=phone.headers, json={"clientId": phone.client_id, "cookie": recent}).json()
    assert [] == fresh["patch"]
    assert {"TEE-2": 1} == cart(laptop.synced())


def test_other_rooms_write_the_view_through_put_and_delete_view(client, fresh_db, phone, ana):
    user_id = int(ana["X-Test-User"])
    phone.pull()
    with fresh_db.write() as db:
        assert sync_store.put_view(db, user_id, "points", {"balance": 1000, "tier": "silver", "growth": 0, "expiring": []})
        assert not sync_store.put_view(db, user_id, "points", {"balance": 1000, "tier": "silver", "growth": 0, "expiring": []})
        sync_store.put_view(db, user_id, "orders/7", {"id": 7, "total": 1290})
    poke.notify(user_id)
    assert [("put", "orders/7"), ("put", "points")] == [(op["op"], op["key"]) for op in phone.pull()["patch"]]
    assert {"orders/7": {"id": 7, "total": 1290}} == sync_store.get_view(fresh_db.read(), user_id, "orders/")
    with fresh_db.write() as db:
        assert sync_store.delete_view(db, user_id, "orders/7")
        assert not sync_store.delete_view(db, user_id, "orders/7")
    assert [{"op": "del", "key": "orders/7"}] == phone.pull()["patch"]


def test_checkout_style_read_and_delete_of_the_cart(fresh_db, phone, ana):
    phone.do("cart.add", sku="MUG-1", qty=2)
    phone.do("wishlist.add", sku="TEE-2")
    user_id = int(ana["X-Test-User"])
    lines = sync_store.get_view(fresh_db.read(), user_id, "cart/")
    assert {"cart/MUG-1"} == set(lines)
    with fresh_db.write() as db:
        assert 1 == sync_store.delete_prefix(db, user_id, "cart/")
    assert {"wishlist/TEE-2"} == set(phone.synced())


# --- limits and bad input ------------------------------------------------------------------------


def push_raw(client, headers, body, **kw):
    return client.post("/api/sync/push", headers=headers, **({"json": body} if not isinstance(body, bytes) else {"content": body}), **kw)


def assert_nothing_changed(phone):
    body = phone.client.post("/api/sync/pull", headers=phone.headers, json={"clientId": phone.client_id}).json()
    assert {"cookie": 0, "lastMutationId": 0, "patch": [{"op": "clear"}]} == body


BAD_PUSHES = [
        (lambda d: {"clientId": d.client_id, "mutations": [d.mutation("cart.add", sku="MUG-1") for _ in range(101)]}, 413),
        (lambda d: {"clientId": d.client_id, "mutations": [d.mutation("prefs.set", name="big", value="x" * 5000)]}, 413),
        (lambda d: {"clientId": "short", "mutations": []}, 400),
        (lambda d: {"clientId": "has spaces in it", "mutations": []}, 400),
        (lambda d: {"clientId": "x" * 65, "mutations": []}, 400),
        (lambda d: {"mutations": []}, 400),
        (lambda d: {"clientId": d.client_id}, 400),
        (lambda d: {"clientId": d.client_id, "mutations": [{"id": 0, "name": "cart.clear", "args": {}}]}, 400),
        (lambda d: {"clientId": d.client_id, "mutations": [{"id": 1, "name": "x" * 65, "args": {}}]}, 400),
        (lambda d: {"clientId": d.client_id, "mutations": [{"id": 1, "name": "cart.clear"}]}, 400),
        (lambda d: {"clientId": d.client_id, "mutations": [{"id": 1, "name": "cart.clear", "args": {}, "at": -5}]}, 400),
        (lambda d: {"clientId": d.client_id, "mutations": [{"id": "1", "name": "cart.clear", "args": {}}]}, 400),
        (lambda d: {"clientId": d.client_id, "mutations": [], "schemaVersion": 2}, 400),
        (lambda d: [1, 2, 3], 400),
        (lambda d: b"{not json", 400),
        (lambda d: b"", 400),

]


@pytest.mark.parametrize("make, status", BAD_PUSHES)
def test_bad_pushes_are_4xx_problems_and_change_nothing(phone, make, status):
    response = push_raw(phone.client, phone.headers, make(phone))
    assert_problem(response, status)
    assert_nothing_changed(phone)


def test_a_push_past_the_body_limit_is_413(client, settings, phone):
    body = b'{"clientId":"' + phone.client_id.encode() + b'","mutations":[' + b" " * settings.max_body_bytes + b"]}"
    assert_problem(push_raw(client, phone.headers, body), 413)
    assert_nothing_changed(phone)


@pytest.mark.parametrize("body", [
    {"clientId": "ok-client-1", "cookie": -1}, {"clientId": "ok-client-1", "cookie": "abc"}, {}, b"[",
    {"clientId": "ok-client-1", "schemaVersion": 3},
])
def test_bad_pulls_are_400(client, ana, body):
    kw = {"json": body} if not isinstance(body, bytes) else {"content": body}
    assert_problem(client.post("/api/sync/pull", headers=ana, **kw), 400)


def test_sync_needs_a_token(client, shop):
    assert_problem(client.post("/api/sync/push", json={"clientId": new_client_id(), "mutations": []}), 401)
    assert_problem(client.post("/api/sync/pull", json={"clientId": new_client_id()}), 401)
    assert_problem(client.get("/api/sync/poke"), 401)
    assert_problem(client.get("/api/sync/poke", params={"ticket": "x" * 43}), 401)
    assert_problem(client.post("/api/sync/poke-ticket"), 401)


def test_a_client_id_belongs_to_the_user_that_used_it_first(client, phone):
    phone.do("cart.add", sku="MUG-1")
    bob = sign_up(client, email="bob@example.com")
    thief = Device(client, bob, client_id=phone.client_id)
    assert_problem(thief.client.post("/api/sync/push", headers=bob, json={"clientId": phone.client_id, "mutations": [thief.mutation("cart.clear")]}), 404)
    assert_problem(client.post("/api/sync/pull", headers=bob, json={"clientId": phone.client_id}), 404)
    assert {"MUG-1": 1} == cart(phone.synced())
    # A client first seen in a pull is bound too.
    pulled_first = new_client_id()
    client.post("/api/sync/pull", headers=phone.headers, json={"clientId": pulled_first})
    assert_problem(client.post("/api/sync/push", headers=bob, json={"clientId": pulled_first, "mutations": []}), 404)


def test_view_rows_are_bounded(fresh_db, ana):
    from sync.errors import BadViewRow

    with pytest.raises(BadViewRow):
        with fresh_db.write() as db:
            sync_store.put_view(db, int(ana["X-Test-User"]), "k" * 201, 1)
    with pytest.raises(BadViewRow):
        with fresh_db.write() as db:
            sync_store.put_view(db, int(ana["X-Test-User"]), "big", "x" * 20_000)


def test_maintenance_command_prunes_tombstones_and_expired_devices(settings, fresh_db, phone, capsys, monkeypatch):
    from server.cli import main as cli

    phone.do("cart.add", sku="MUG-1")
    phone.do("cart.remove", sku="MUG-1")
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 200 * 86_400)
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    assert 0 == cli.main(["sync-maintenance"])
    assert "1 tombstones pruned, 1 expired devices signed out" in capsys.readouterr().out


def test_good_and_rejected_mutations_interleaved_in_one_push(phone, laptop):
    laptop.do("wishlist.add", sku="MUG-1")
    cookie = laptop.pull()["cookie"]
    result = phone.push(
        phone.mutation("cart.add", sku="MUG-1"),
        phone.mutation("cart.add", sku="NOPE-9"),
        phone.mutation("cart.add", sku="TEE-2"),
        phone.mutation("test.writeThenReject"),
        phone.mutation("cart.add", sku="MUG-1"),
    )
    assert (5, [2, 4]) == (result["lastMutationId"], [e["id"] for e in result["errors"]])
    patch = laptop.pull()["patch"]
    assert {("put", "cart/MUG-1"), ("put", "cart/TEE-2")} == {(op["op"], op["key"]) for op in patch}
    assert laptop.cookie > cookie
    assert {"MUG-1": 2, "TEE-2": 1} == cart(laptop.view)
    # A later change gets a newer version than everything in that push.
    phone.do("cart.remove", sku="TEE-2")
    assert [{"op": "del", "key": "cart/TEE-2"}] == laptop.pull()["patch"]
