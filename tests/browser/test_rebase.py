"""pwa/rebase.js on its own: the local mutators, rebase over a server view, and the hybrid logical clock.
(tests/browser/test_sync_client.py checks random sequences against the server's own merge rules.)"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

REBASE = """async ([server, pending]) => {
  const { rebase } = await lm.load("rebase");
  const before = JSON.stringify(server);
  const view = Object.fromEntries(rebase(new Map(Object.entries(server)), pending));
  if (JSON.stringify(server) !== before) throw new Error("rebase changed the server view");
  return view;
}"""


def m(id: int, mutation: str, /, **args) -> dict:
    return {"id": id, "name": mutation, "args": args, "at": 1000 + id}


LINE = {"sku": "A", "qty": 2, "addedAt": 7}


@pytest.mark.parametrize(
    ("server", "pending", "expected"),
    [
        pytest.param({}, [], {}, id="nothing pending"),
        pytest.param({}, [m(1, "cart.add", sku="A")], {"cart/A": {"sku": "A", "qty": 1, "addedAt": 1001}}, id="add defaults to 1"),
        pytest.param({"cart/A": LINE}, [m(1, "cart.add", sku="A", qty=3)], {"cart/A": {"sku": "A", "qty": 5, "addedAt": 7}}, id="add adds, keeps addedAt"),
        pytest.param({}, [m(1, "cart.add", sku="A", qty=60), m(2, "cart.add", sku="A", qty=60)], {"cart/A": {"sku": "A", "qty": 99, "addedAt": 1001}}, id="add caps at 99"),
        pytest.param({"cart/A": LINE}, [m(1, "cart.setQty", sku="A", qty=4)], {"cart/A": {"sku": "A", "qty": 4, "addedAt": 7}}, id="setQty sets"),
        pytest.param({"cart/A": LINE}, [m(1, "cart.setQty", sku="A", qty=0)], {}, id="setQty 0 removes"),
        pytest.param({}, [m(1, "cart.setQty", sku="A", qty=500)], {"cart/A": {"sku": "A", "qty": 99, "addedAt": 1001}}, id="setQty caps at 99"),
        pytest.param({"cart/A": LINE}, [m(1, "cart.remove", sku="A")], {}, id="remove"),
        pytest.param({"cart/A": LINE, "wishlist/B": {"sku": "B", "addedAt": 3}}, [m(1, "cart.clear")], {"wishlist/B": {"sku": "B", "addedAt": 3}}, id="clear keeps the wishlist"),
        pytest.param({"wishlist/B": {"sku": "B", "addedAt": 3}}, [m(1, "wishlist.add", sku="B")], {"wishlist/B": {"sku": "B", "addedAt": 3}}, id="wishlist keeps the first addedAt"),
        pytest.param({"wishlist/B": {"sku": "B", "addedAt": 3}}, [m(1, "wishlist.remove", sku="B")], {}, id="wishlist remove"),
        pytest.param({}, [m(1, "prefs.set", name="lang", value="fr"), m(2, "prefs.set", name="seen")], {"prefs/lang": "fr", "prefs/seen": None}, id="prefs set, value defaults to null"),
        pytest.param({"points": {"balance": 5}}, [m(1, "points.redeem", rewardId="r"), m(2, "no.such")], {"points": {"balance": 5}}, id="redeem and unknown names change nothing"),
        pytest.param({}, [m(1, "recent.view", sku="A"), m(2, "recent.view", sku="B"), m(3, "recent.view", sku="A")],
                     {"recent": {"items": [{"sku": "A", "at": 1003}, {"sku": "B", "at": 1002}], "clearedAt": 0}},
                     id="recent view: newest first, deduped"),
        pytest.param({"recent": {"items": [{"sku": "Z", "at": 5000}], "clearedAt": 0}}, [m(1, "recent.view", sku="A")],
                     {"recent": {"items": [{"sku": "Z", "at": 5000}, {"sku": "A", "at": 1001}], "clearedAt": 0}},
                     id="recent view: an older view sorts after a newer one"),
        pytest.param({"recent": {"items": [{"sku": "Z", "at": 500}], "clearedAt": 0}}, [m(1, "recent.clear"), m(2, "recent.view", sku="A")],
                     {"recent": {"items": [{"sku": "A", "at": 1002}], "clearedAt": 1001}}, id="recent clear, then a view"),
        pytest.param({"recent": {"items": [], "clearedAt": 2000}}, [m(1, "recent.view", sku="A")],
                     {"recent": {"items": [], "clearedAt": 2000}}, id="recent view older than the clear is ignored"),
    ],
)
def test_rebase_replays_pending_mutations_on_a_copy_of_the_server_view(module_page, server, pending, expected):
    assert expected == module_page.evaluate(REBASE, [server, pending])


@pytest.mark.parametrize(
    ("last", "now", "expected"),
    [(None, 500, 500), (100, 500, 500), (500, 500, 501), (900, 500, 901)],
)
def test_the_clock_never_goes_back_and_always_moves(module_page, last, now, expected):
    assert expected == module_page.evaluate("async ([l, n]) => (await lm.load('rebase')).tick(l, n)", [last, now])


@pytest.mark.parametrize(
    ("last", "value", "expected"),
    [
        pytest.param(100, {"addedAt": 200}, 200, id="follows a later stamp"),
        pytest.param(300, {"addedAt": 200}, 300, id="never goes back"),
        pytest.param(100, {"addedAt": 1000 + 59_999}, 1000 + 59_999, id="trusts up to a minute ahead"),
        pytest.param(100, {"addedAt": 1000 + 60_000}, 100, id="ignores a skewed device"),
        pytest.param(100, "fr", 100, id="values without addedAt"),
        pytest.param(100, None, 100, id="null values"),
    ],
)
def test_the_clock_follows_stamps_seen_in_a_pull_but_not_far_future_ones(module_page, last, value, expected):
    assert expected == module_page.evaluate("async ([l, v]) => (await lm.load('rebase')).observe(l, v, 1000)", [last, value])
