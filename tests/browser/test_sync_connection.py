"""pwa/sync-client.js on its own: the connection loop (push, pull, rebase, client ids) against a fake server in
the page, over the real IndexedDB store. tests/browser/test_sync_client.py runs it against the real server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# A fake server answering /api/sync/pull with `window.pulls` (one answer per request, the last repeated),
# after `delay` ms; counts requests in `window.requests`. Then a client with a signed-in session, `pending`
# stored as given, and the meta values given.
SETUP = """async ({ pulls, delay, pending, meta }) => {
  const { SyncClient } = await lm.load("sync-client");
  const store = self.LastmileSyncStore;
  window.requests = [];
  self.fetch = async (url, init) => {
    window.requests.push(url);
    await new Promise((ok) => setTimeout(ok, delay));
    if (url !== "/api/sync/pull") return new Response("{}", { status: 500 });
    const answer = pulls[Math.min(window.requests.filter((u) => u === url).length, pulls.length) - 1];
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  };
  await store.run(["meta", "pending"], "readwrite", async (s) => {
    s.meta.put("c-1", "clientId");
    s.meta.put({ token: "t", userId: 1, deviceId: 1, email: "a@example.com" }, "session");
    for (const [name, value] of Object.entries(meta)) s.meta.put(value, name);
    for (const m of pending) s.pending.put(m);
  });
  window.client = new SyncClient(store);
  await client.refresh();
}"""

STATE = """async () => {
  const store = client.store;
  const stored = await store.run(["pending"], "readonly", async (s) => store.req(s.pending.getAll()));
  const meta = await store.readMeta(["clientId", "cookie", "lastMutationId", "nextMutationId"]);
  return { view: Object.fromEntries(client.view), pending: client.pending.map((m) => m.id), stored: stored.map((m) => m.id), meta, requests: window.requests };
}"""


def add(id: int, sku: str, qty: int) -> dict:
    return {"id": id, "name": "cart.add", "args": {"sku": sku, "qty": qty}, "at": 100 + id}


def test_a_pull_drops_what_the_server_applied_and_replays_the_rest_on_its_view(module_pages):
    page = module_pages()
    patch = [{"op": "clear"}, {"op": "put", "key": "cart/A", "value": {"sku": "A", "qty": 1, "addedAt": 101}}, {"op": "put", "key": "prefs/x", "value": 1}]
    pulls = [{"status": 200, "body": {"cookie": 7, "lastMutationId": 1, "patch": patch}}]
    page.evaluate(SETUP, {"pulls": pulls, "delay": 0, "pending": [add(1, "A", 1), add(2, "B", 2)], "meta": {"nextMutationId": 3}})
    page.evaluate("client.pull()")
    state = page.evaluate(STATE)
    expected_view = {"cart/A": {"sku": "A", "qty": 1, "addedAt": 101}, "cart/B": {"sku": "B", "qty": 2, "addedAt": 102}, "prefs/x": 1}
    assert expected_view == state["view"]
    assert ([2], [2]) == (state["pending"], state["stored"])
    assert {"clientId": "c-1", "cookie": 7, "lastMutationId": 1, "nextMutationId": 3} == state["meta"]


def test_pulls_asked_for_while_one_runs_fold_into_one_more(module_pages):
    page = module_pages()
    pulls = [{"status": 200, "body": {"cookie": n, "lastMutationId": 0, "patch": []}} for n in (1, 2)]
    page.evaluate(SETUP, {"pulls": pulls, "delay": 100, "pending": [], "meta": {}})
    page.evaluate("Promise.all([client.pull(), client.pull(), client.pull(), client.pull(), client.pull()])")
    state = page.evaluate(STATE)
    assert (["/api/sync/pull", "/api/sync/pull"], 2) == (state["requests"], state["meta"]["cookie"])


def test_a_client_id_bound_to_another_account_is_replaced_and_pending_renumbered_from_1(module_pages):
    page = module_pages()
    pulls = [{"status": 404, "body": {"status": 404, "detail": "unknown client"}}]
    meta = {"lastMutationId": 3, "cookie": 9, "nextMutationId": 6}
    page.evaluate(SETUP, {"pulls": pulls, "delay": 0, "pending": [add(4, "A", 1), add(5, "B", 1)], "meta": meta})
    page.evaluate("client.pull()")
    state = page.evaluate(STATE)
    assert "c-1" != state["meta"]["clientId"]
    assert {"cookie": None, "lastMutationId": None, "nextMutationId": 3} == {k: state["meta"][k] for k in ("cookie", "lastMutationId", "nextMutationId")}
    assert ([1, 2], [1, 2]) == (state["pending"], state["stored"])
    assert {"cart/A": {"sku": "A", "qty": 1, "addedAt": 104}, "cart/B": {"sku": "B", "qty": 1, "addedAt": 105}} == state["view"]


def test_two_tabs_mutating_at_once_take_gap_free_ids_and_a_rising_clock(module_pages):
    page = module_pages()
    page.evaluate(SETUP, {"pulls": [], "delay": 0, "pending": [], "meta": {"session": None}})
    made = page.evaluate(
        """async () => {
          const other = new client.constructor(client.store);  // a second tab of the same profile
          const tabs = [client, other];
          return Promise.all(Array.from({ length: 10 }, (_, i) => tabs[i % 2].mutate("cart.add", { sku: "A", qty: 1 })));
        }"""
    )
    assert list(range(1, 11)) == sorted(m["id"] for m in made)
    ats = [m["at"] for m in sorted(made, key=lambda m: m["id"])]
    assert sorted(set(ats)) == ats  # strictly increasing with the ids
    assert {"sku": "A", "qty": 10} == {k: v for k, v in page.evaluate("client.refresh().then(() => Object.fromEntries(client.view))")["cart/A"].items() if k != "addedAt"}
