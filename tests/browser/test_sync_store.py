"""pwa/sync-store.js on its own (the IndexedDB store the pages and the service worker share): push sends what
is after max(pushedThrough, lastMutationId) in batches, remembers how far the server got, and marks an expired
session; requests go to a fake server in the page, so nothing here depends on the API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Stores `pending` mutations 1..count and the meta values, then pushes through a fake server that acknowledges
# `accept(batch)` (default: all of it); returns what was sent, what push() returned and the meta afterwards.
PUSH = """async ({ count, meta, accept, status }) => {
  await lm.load("sync-store");
  const store = self.LastmileSyncStore;
  await store.run(["meta", "pending"], "readwrite", async (s) => {
    for (const [name, value] of Object.entries(meta)) s.meta.put(value, name);
    for (let id = 1; id <= count; id++) s.pending.put({ id, name: "cart.add", args: { sku: "A", qty: 1 }, at: id, local: "kept" });
  });
  const sent = [];
  const fakeFetch = async (url, init) => {
    const body = JSON.parse(init.body);
    sent.push({ url, auth: init.headers.authorization, clientId: body.clientId, ids: body.mutations.map((m) => m.id), keys: Object.keys(body.mutations[0]).sort() });
    const ids = body.mutations.map((m) => m.id);
    const last = accept === "half" ? ids[Math.floor(ids.length / 2) - 1] : ids.at(-1);
    return new Response(JSON.stringify({ lastMutationId: last, errors: [] }), { status });
  };
  let pushed, error = null;
  try {
    pushed = await store.push(fakeFetch);
  } catch (e) {
    error = e instanceof store.AuthExpired ? "AuthExpired" : String(e);
  }
  const after = await store.readMeta(["pushedThrough", "session"]);
  const left = await store.run(["pending"], "readonly", async (s) => (await store.req(s.pending.getAllKeys())).length);
  return { sent, pushed, error, after, left };
}"""

SESSION = {"token": "t0ken", "userId": 1, "deviceId": 1, "email": "a@example.com"}


def test_push_sends_what_the_server_has_not_seen_in_batches_of_50(module_pages):
    meta = {"clientId": "c-1", "session": SESSION, "lastMutationId": 5, "pushedThrough": 10}
    result = module_pages().evaluate(PUSH, {"count": 120, "meta": meta, "accept": "all", "status": 200})
    assert [list(range(11, 61)), list(range(61, 111)), list(range(111, 121))] == [s["ids"] for s in result["sent"]]
    assert {("/api/sync/push", "Bearer t0ken", "c-1")} == {(s["url"], s["auth"], s["clientId"]) for s in result["sent"]}
    assert ["args", "at", "id", "name"] == result["sent"][0]["keys"]  # local fields stay on the device
    assert (110, None, 120) == (result["pushed"], result["error"], result["after"]["pushedThrough"])
    assert 120 == result["left"]  # pending until a pull carries their effect


def test_a_push_the_server_stops_short_waits_for_the_next_try(module_pages):
    meta = {"clientId": "c-1", "session": SESSION}
    result = module_pages().evaluate(PUSH, {"count": 80, "meta": meta, "accept": "half", "status": 200})
    assert [list(range(1, 51))] == [s["ids"] for s in result["sent"]]
    assert (25, 25) == (result["pushed"], result["after"]["pushedThrough"])


@pytest.mark.parametrize(
    "meta",
    [
        pytest.param({"clientId": "c-1"}, id="signed out"),
        pytest.param({"clientId": "c-1", "session": {**SESSION, "expired": True}}, id="session expired"),
        pytest.param({"clientId": "c-1", "session": SESSION, "lastMutationId": 3}, id="nothing new"),
    ],
)
def test_push_sends_nothing_without_a_live_session_or_new_mutations(module_pages, meta):
    result = module_pages().evaluate(PUSH, {"count": 3, "meta": meta, "accept": "all", "status": 200})
    assert ([], 0) == (result["sent"], result["pushed"])


def test_a_401_marks_the_session_expired_and_keeps_the_mutations(module_pages):
    meta = {"clientId": "c-1", "session": SESSION}
    result = module_pages().evaluate(PUSH, {"count": 2, "meta": meta, "accept": "all", "status": 401})
    assert ("AuthExpired", True, None, 2) == (result["error"], result["after"]["session"]["expired"], result["after"]["pushedThrough"], result["left"])
