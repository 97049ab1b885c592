"""Catalog API: paging under inserts, search, filters, caching, compression, MessagePack, bad input."""

import gzip

import brotli
import msgspec
import pytest

from server.http.conditional import strong_etag
from tests.utils import add_product, assert_problem

def all_ids(client, **params) -> list[str]:
    ids, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/products", params=query).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            return ids


def test_pages_lose_and_repeat_nothing_while_products_are_inserted(client, fresh_db):
    for i in range(0, 50, 2):
        add_product(fresh_db, f"SKU-{i:03d}")
    seen, cursor, inserted = [], None, []
    for round_ in range(100):
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/products", params=params).json()
        seen += [item["id"] for item in page["items"]]
        # Inserts on both sides of the cursor between page fetches.
        for sku in (f"ZZZ-{round_:03d}", f"AAA-{round_:03d}"):
            add_product(fresh_db, sku)
            inserted.append(sku)
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)), "an item was repeated"
    originals = {f"SKU-{i:03d}" for i in range(0, 50, 2)}
    assert originals <= set(seen), "an item present from the start was lost"
    assert sorted(seen) == seen
    # Inserts after the cursor's position were picked up; those before it were not (keyset paging).
    assert [f"ZZZ-{r:03d}" for r in range(round_)] == [s for s in seen if s.startswith("ZZZ-")]
    assert not any(s.startswith("AAA-") for s in seen)


def test_listing_items_are_compact_summaries(client, fresh_db):
    add_product(fresh_db, "A-1", name="Blue Mug", price=1290, stock=3)
    assert [
        {
            "id": "A-1",
            "name": "Blue Mug",
            "price": 1290,
            "currency": "EUR",
            "category": "misc",
            "availability": "low_stock",
            "image": None,
        }
    ] == client.get("/api/products").json()["items"]


def test_search_matches_name_and_description_with_prefixes(client, fresh_db):
    add_product(fresh_db, "K-1", name="Enamel Kettle", description="Whistles on the stove")
    add_product(fresh_db, "K-2", name="Glass Jar", description="Keeps tea fresh; enamel lid")
    add_product(fresh_db, "K-3", name="Wooden Puzzle", description="For children")
    assert ["K-1", "K-2"] == all_ids(client, q="enamel")
    assert ["K-1"] == all_ids(client, q="whist")
    assert ["K-1"] == all_ids(client, q="kettle stove")
    assert [] == all_ids(client, q="kettle puzzle")
    assert ["K-3"] == all_ids(client, q='"wooden*(:')  # FTS syntax in input is only words


def test_search_and_category_page_together(client, fresh_db):
    for i in range(12):
        add_product(fresh_db, f"T-{i:02d}", name=f"Tea sampler {i}", category="tea" if i % 3 else "gifts")
    assert [f"T-{i:02d}" for i in range(12) if i % 3] == all_ids(client, q="tea", category="tea", limit=3)
    assert [f"T-{i:02d}" for i in range(12) if not i % 3] == all_ids(client, category="gifts", limit=2)


def test_detail_has_every_field(client, fresh_db):
    add_product(fresh_db, "D-1", name="Kite", description="Flies", price=2490, category="toys", stock=0)
    body = client.get("/api/products/D-1").json()
    version = body.pop("version")
    updated = body.pop("updatedAt")
    assert {
        "id": "D-1",
        "name": "Kite",
        "description": "Flies",
        "price": 2490,
        "currency": "EUR",
        "category": "toys",
        "stock": 0,
        "availability": "out_of_stock",
        "images": [],
    } == body
    assert version >= 1 and updated.endswith("Z")


def test_etag_is_strong_and_answers_304_until_the_product_changes(client, fresh_db):
    add_product(fresh_db, "E-1", name="Before")
    first = client.get("/api/products/E-1", headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "max-age=" in first.headers["cache-control"]
    assert "stale-while-revalidate=" in first.headers["cache-control"]
    again = client.get("/api/products/E-1", headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert 304 == again.status_code
    assert b"" == again.content
    assert etag == again.headers["etag"]
    add_product(fresh_db, "E-1", name="After")
    changed = client.get("/api/products/E-1", headers={"If-None-Match": etag})
    assert 200 == changed.status_code
    assert "After" == changed.json()["name"]


def test_listing_etag_answers_304_too(client, fresh_db):
    add_product(fresh_db, "L-1")
    etag = client.get("/api/products").headers["etag"]
    assert 304 == client.get("/api/products", headers={"If-None-Match": f'"other", {etag}'}).status_code


@pytest.mark.parametrize(
    ("accept_encoding", "coding", "decompress"),
    [
        ("br, gzip", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("identity", None, lambda b: b),
    ],
)
def test_compression_negotiation(client, fresh_db, accept_encoding, coding, decompress):
    for i in range(30):
        add_product(fresh_db, f"C-{i:02d}", description="A long description that compresses well. " * 3)
    import httpx

    # Read the raw bytes: the test client would otherwise decode for us.
    with client.stream("GET", "/api/products", params={"limit": 30}, headers={"Accept-Encoding": accept_encoding}) as r:
        raw = b"".join(r.iter_raw())
        headers = r.headers
    assert coding == headers.get("content-encoding")
    assert "Accept-Encoding" in headers["vary"]
    assert 30 == len(msgspec.json.decode(decompress(raw))["items"])
    if coding:
        # A strong validator per content-coding, and it still revalidates.
        assert headers["etag"].endswith(f'-{coding}"')
        revalidated = client.get("/api/products", params={"limit": 30}, headers={
            "Accept-Encoding": accept_encoding, "If-None-Match": headers["etag"]})
        assert 304 == revalidated.status_code
    assert httpx  # imported for the raw stream API above


def test_msgpack_when_accepted(client, fresh_db):
    add_product(fresh_db, "M-1", name="Packed")
    response = client.get("/api/products/M-1", headers={"Accept": "application/msgpack"})
    assert "application/msgpack" == response.headers["content-type"]
    assert "Packed" == msgspec.msgpack.decode(response.content)["name"]
    as_json = client.get("/api/products/M-1")
    assert as_json.headers["etag"] != response.headers["etag"]
    assert "Accept" in response.headers["vary"]


def test_bad_cursor_is_a_400_problem(client, fresh_db):
    for i in range(5):
        add_product(fresh_db, f"B-{i}")
    assert_problem(client.get("/api/products", params={"cursor": "garbage!!"}), 400, "cursor")
    cursor = client.get("/api/products", params={"limit": 2}).json()["nextCursor"]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    assert_problem(client.get("/api/products", params={"cursor": tampered, "limit": 2}), 400, "cursor")
    assert_problem(client.get("/api/products", params={"cursor": cursor, "q": "other"}), 400, "another query")


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5"])
def test_limit_out_of_range_is_a_400_problem(client, limit):
    body = assert_problem(client.get("/api/products", params={"limit": limit}), 400, "limit")
    assert body["errors"]


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"category": "Not A Category"}, "category"),
        ({"q": "x" * 201}, "q"),
        ({"q": "!!!"}, "words"),
    ],
)
def test_bad_filters_are_400_problems(client, params, word):
    assert_problem(client.get("/api/products", params=params), 400, word)


def test_unknown_product_route_and_method_are_problems(client):
    assert_problem(client.get("/api/products/NOPE-1"), 404, "NOPE-1")
    assert_problem(client.get("/api/nothing-here"), 404, "/api/nothing-here")
    response = client.delete("/api/products/NOPE-1")
    assert_problem(response, 405)


def test_health_and_openapi(client):
    assert {"status": "ok", "database": "ok"} == client.get("/health").json()
    spec = client.get("/schema/openapi.json").json()
    assert "/api/products" in spec["paths"] and "/api/products/{product_id}" in spec["paths"]
    assert 200 == client.get("/schema").status_code


def test_vary_names_each_header_once(client, fresh_db):
    for i in range(10):
        add_product(fresh_db, f"V-{i}", description="long enough to be compressed " * 5)
    vary = client.get("/api/products", headers={"Accept-Encoding": "br"}).headers["vary"]
    assert ["Accept", "Accept-Encoding"] == [v.strip() for v in vary.split(",")]


def test_a_product_change_shows_at_once_despite_the_response_cache(client, fresh_db):
    add_product(fresh_db, "RC-1", name="First", stock=3)
    assert "First" == client.get("/api/products/RC-1").json()["name"]
    assert "First" == client.get("/api/products/RC-1").json()["name"]  # served from the cache
    add_product(fresh_db, "RC-1", name="Second", stock=0)  # a commit through the same Database
    body = client.get("/api/products/RC-1").json()
    assert ("Second", "out_of_stock") == (body["name"], body["availability"])
    packed = client.get("/api/products/RC-1", headers={"Accept": "application/msgpack"})
    assert "Second" == msgspec.msgpack.decode(packed.content)["name"]  # one entry per representation


def test_a_change_by_another_process_invalidates_the_cache(client, fresh_db, settings):
    import time

    from server.stores import connect

    add_product(fresh_db, "RC-2", name="Before")
    assert "Before" == client.get("/api/products/RC-2").json()["name"]
    assert "Before" == client.get("/api/products/RC-2").json()["name"]  # now served from the cache
    seen = fresh_db.generation
    other = connect(settings)  # as the CLI import (or another worker) would write it
    add_product(other, "RC-2", name="After")
    other.close()
    for _ in range(200):  # the watcher's signal arrives asynchronously (NOTIFY / data_version)
        if fresh_db.generation != seen:
            break
        time.sleep(0.025)
    assert "After" == client.get("/api/products/RC-2").json()["name"]


@pytest.mark.parametrize(
    ("accept", "accept_encoding", "coding", "decompress"),
    [
        ("application/json", "identity", None, lambda b: b),
        ("application/json", "br, gzip", "br", brotli.decompress),
        ("application/msgpack", "gzip", "gzip", gzip.decompress),
    ],
)
def test_a_cached_product_is_a_whole_http_answer(client, fresh_db, accept, accept_encoding, coding, decompress):
    """The product cache keeps prepared status lines and headers (server/http/conditional.py PreparedResponse):
    every answer, first or cached, carries its real length and validator, compresses, and revalidates."""
    add_product(fresh_db, "PR-1", name="Prepared", description="long enough to be compressed " * 20)
    headers = {"Accept": accept, "Accept-Encoding": accept_encoding}

    def fetch(extra=None):
        with client.stream("GET", "/api/products/PR-1", headers={**headers, **(extra or {})}) as r:
            return r.status_code, r.headers, b"".join(r.iter_raw())

    answers = [fetch() for _ in range(3)]  # a miss, then two hits
    for status, got, raw in answers:
        body = decompress(raw)
        decode = msgspec.msgpack.decode if "msgpack" in accept else msgspec.json.decode
        assert (200, accept, "Prepared") == (status, got["content-type"], decode(body)["name"])
        assert str(len(raw)) == got["content-length"]
        assert coding == got.get("content-encoding")
        assert ["Accept", "Accept-Encoding"] == [v.strip() for v in got["vary"].split(",")]
        assert got["cache-control"].startswith("public, max-age=")
        suffix = f"-{coding}" if coding else ""
        assert strong_etag(body + accept.encode())[:-1] + suffix + '"' == got["etag"]
    if coding is None:
        assert 1 == len({raw for _, _, raw in answers})  # the very same bytes every time
    status, got, raw = fetch({"If-None-Match": answers[-1][1]["etag"]})
    assert (304, b"", answers[-1][1]["etag"]) == (status, raw, got["etag"])
    assert "content-type" not in got


def test_only_catalog_changes_empty_the_product_cache(client, fresh_db):
    """A commit moves the cache's generation only when it changed what product responses show: the shop's most
    frequent writes (sync pushes, orders' other rows, metrics) leave every cached product in place."""
    import uuid

    from tests.utils import sign_up

    add_product(fresh_db, "G-1", name="Kept")
    client.get("/api/products/G-1")
    headers = sign_up(client)
    seen = fresh_db.generation
    pushed = client.post("/api/sync/push", headers=headers, json={"clientId": str(uuid.uuid4()), "mutations": [
        {"id": 1, "name": "cart.add", "args": {"sku": "G-1", "qty": 1}, "at": 1}]})
    assert (200, 1) == (pushed.status_code, pushed.json()["lastMutationId"])
    assert seen == fresh_db.generation
    add_product(fresh_db, "G-1", name="Changed")
    assert fresh_db.generation > seen
    assert "Changed" == client.get("/api/products/G-1").json()["name"]
