"""Ranked search: relevance order with stable cursors, synonyms (built-in and operators'), typos, Chinese,
suggestions as you type, and the operators' synonym route."""

import pytest

from tests.operator_support import token_headers
from tests.utils import add_product, assert_problem

SYNONYMS = "/api/admin/catalog/synonyms"


def search_ids(client, **params) -> list[str]:
    ids, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/products", params=query)
        assert 200 == response.status_code, response.text
        page = response.json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            return ids


def test_name_matches_rank_above_description_matches_and_paging_keeps_that_order(client, fresh_db):
    for i in range(6):
        add_product(fresh_db, f"D-{i}", name=f"Box {i}", description=f"Goes well with a kettle, number {i}")
    for i in range(4):
        add_product(fresh_db, f"N-{i}", name=f"Copper kettle {i}", description="Boils water")
    add_product(fresh_db, "X-1", name="Jar", description="Nothing to do with it")
    one_page = search_ids(client, q="kettle", limit=100)
    assert {f"N-{i}" for i in range(4)} == set(one_page[:4])
    assert {f"D-{i}" for i in range(6)} == set(one_page[4:])
    for limit in (1, 3, 4):
        assert one_page == search_ids(client, q="kettle", limit=limit)


def test_ties_are_in_id_order(client, fresh_db):
    for i in range(7):
        add_product(fresh_db, f"T-{i}", name="Tea sampler", description="Six teas")
    assert [f"T-{i}" for i in range(7)] == search_ids(client, q="tea", limit=2)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("kettel", ["K-1"]),  # a typo one edit away
        ("enamle kettle", ["K-1"]),
        ("rucksack", ["B-1"]),  # a built-in synonym
        ("背包", ["B-1"]),
        ("绿茶", ["Z-1"]),  # Chinese inside a longer run
        ("茶", ["Z-1"]),
        ("龙井 绿茶", ["Z-1"]),
        ("茶包", ["Z-1"]),
        ("kettle 龙井", []),
    ],
)
def test_typos_synonyms_and_chinese_find_products(client, fresh_db, q, expected):
    add_product(fresh_db, "K-1", name="Enamel Kettle", description="Whistles on the stove")
    add_product(fresh_db, "B-1", name="Trail Backpack", description="Twenty litres")
    add_product(fresh_db, "Z-1", name="有机绿茶茶包", description="杭州龙井，二十包")
    assert expected == search_ids(client, q=q)


@pytest.mark.parametrize(("q", "expected"), [
    ("猫", ["CAT-BOOK", "CAT-FOOD", "KITTEN"]),      # the demo's names are English: the built-in list bridges them
    ("猫粮", ["CAT-FOOD", "KITTEN"]),
    ("宇航员", ["HELMET"]),
    ("浓缩咖啡", ["BEANS"]),
    ("书", ["CAT-BOOK", "SPACE-BOOK"]),
    ("paperback", ["SPACE-BOOK"]),                   # a Chinese word in two groups does not join the English ones
])
def test_a_chinese_shopper_finds_the_demo_shops_english_named_goods(client, fresh_db, q, expected):
    for sku, name in (("BEANS", "Kenya Nyeri Espresso Beans 1 kg"), ("CAT-FOOD", "Tuna Dry Cat Food 2 kg"),
                      ("KITTEN", "Duck Kitten Food 1.5 kg"), ("HELMET", "Deluxe Astronaut Helmet"),
                      ("CAT-BOOK", "The Indoor Cat (Hardback)"), ("SPACE-BOOK", "Life in Orbit (Paperback)")):
        add_product(fresh_db, sku, name=name, description="Packed to travel well.")
    assert expected == sorted(search_ids(client, q=q))


def test_a_cursor_of_the_id_listing_is_refused_by_a_search(client, fresh_db):
    for i in range(3):
        add_product(fresh_db, f"C-{i}", name="Cup")
    cursor = client.get("/api/products", params={"limit": 1}).json()["nextCursor"]
    assert_problem(client.get("/api/products", params={"q": "cup", "cursor": cursor}), 400, "cursor")


def test_operator_synonyms_widen_search_and_replace_the_list(client, fresh_db, admin_headers):
    add_product(fresh_db, "S-1", name="Linen Sofa", description="Three seats")
    assert [] == search_ids(client, q="couch")
    response = client.put(SYNONYMS, json={"groups": [["Sofa", "couch", "沙发"]]}, headers=admin_headers)
    assert 200 == response.status_code, response.text
    assert [["couch", "sofa", "沙发"]] == response.json()["groups"]
    assert ["mug", "cup", "杯子", "马克杯"] == response.json()["builtin"][0]
    assert ["S-1"] == search_ids(client, q="couch")
    assert ["S-1"] == search_ids(client, q="沙发")
    assert client.put(SYNONYMS, json={"groups": []}, headers=admin_headers).json()["groups"] == []
    assert [] == search_ids(client, q="couch")
    assert [] == client.get(SYNONYMS, headers=admin_headers).json()["groups"]


@pytest.mark.parametrize(
    ("body", "status", "word"),
    [
        ({"groups": [["sofa", "big couch"]]}, 422, "single word"),
        ({"groups": [["sofa", "SOFA"]]}, 422, "two different"),
        ({"groups": [["sofa"]]}, 400, ""),
        ({"groups": [["sofa", "x" * 41]]}, 400, ""),
        ({"groups": [["a", "b"]] * 501}, 400, ""),
        ({"groups": [["s"] * 13]}, 400, ""),
        ({"groups": [], "extra": 1}, 400, ""),
    ],
)
def test_bad_synonym_lists_are_problems_and_change_nothing(client, fresh_db, admin_headers, body, status, word):
    client.put(SYNONYMS, json={"groups": [["sofa", "couch"]]}, headers=admin_headers)
    assert_problem(client.put(SYNONYMS, json=body, headers=admin_headers), status, word)
    assert [["couch", "sofa"]] == client.get(SYNONYMS, headers=admin_headers).json()["groups"]


@pytest.mark.parametrize(("role", "status"), [("merchandiser", 200), ("marketer", 403), ("support", 403)])
def test_synonyms_need_the_catalog_permission(client, fresh_db, role, status):
    headers = token_headers(fresh_db, f"{role}@example.com", role)
    assert status == client.get(SYNONYMS, headers=headers).status_code
    assert status == client.put(SYNONYMS, json={"groups": []}, headers=headers).status_code


def test_synonyms_need_a_token(client):
    assert_problem(client.get(SYNONYMS), 401)
    assert_problem(client.put(SYNONYMS, json={"groups": []}), 401)


def test_suggestions_complete_the_last_word_and_offer_products(client, fresh_db):
    add_product(fresh_db, "K-1", name="Enamel Kettle", description="Whistles")
    add_product(fresh_db, "K-2", name="Copper Kettle", description="Shines")
    add_product(fresh_db, "K-3", name="Kite", description="Flies")
    body = client.get("/api/products/suggest", params={"q": "copper ke"}).json()
    assert ["copper kettle"] == body["terms"][:1]
    assert [{"id": "K-2", "name": "Copper Kettle"}] == body["products"]
    body = client.get("/api/products/suggest", params={"q": "ki", "limit": 1}).json()
    assert {"terms": ["kite"], "products": [{"id": "K-3", "name": "Kite"}]} == body
    body = client.get("/api/products/suggest", params={"q": "k", "limit": 2}).json()
    assert {"terms": ["kettle", "kite"], "products": []} == body


@pytest.mark.parametrize(
    ("params", "word"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 101}, "q"), ({"q": "!!!"}, "words"),
     ({"q": "tea", "limit": "11"}, "limit"), ({"q": "tea", "limit": "0"}, "limit")],
)
def test_bad_suggest_input_is_a_400_problem(client, params, word):
    assert_problem(client.get("/api/products/suggest", params=params), 400, word)


def test_the_words_as_typed_rank_above_synonym_matches_on_every_page(client, fresh_db):
    for i in range(3):
        add_product(fresh_db, f"A-{i}", name="Blue cup", description="A cup, a cup, a cup")
        add_product(fresh_db, f"B-{i}", name="马克杯", description="杯子")
        add_product(fresh_db, f"Z-{i}", name="Stoneware mug", description="Holds coffee")
    found = search_ids(client, q="mug", limit=2)
    assert ["Z-0", "Z-1", "Z-2"] == found[:3]
    assert {f"{k}-{i}" for k in "AB" for i in range(3)} == set(found[3:])


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer: nobody writes between the read and the write
def test_an_import_racing_a_rename_leaves_the_index_as_the_product(fresh_db, settings, monkeypatch):
    """An upsert read the product, another process renamed it, then the upsert wrote the old name back: the index
    must hold the name the product has, not the rename's."""
    from catalog import store as catalog_store
    from catalog.search_text import index_text
    from server.postgres import PostgresDatabase

    add_product(fresh_db, "SKU-1", name="Plain teapot", price=1_000)
    read, renamed = catalog_store.get_product, []

    def renamed_meanwhile(db, product_id):
        found = read(db, product_id)
        if not renamed:  # the import has read the row; another server renames the product now
            renamed.append(True)
            other = PostgresDatabase(settings.database_url, max_size=1)
            add_product(other, "SKU-1", name="Shiny kettle", price=1_000)
            other.close()
        return found

    monkeypatch.setattr(catalog_store, "get_product", renamed_meanwhile)
    add_product(fresh_db, "SKU-1", name="Plain teapot", price=1_200)  # the import: old name, new price
    monkeypatch.setattr(catalog_store, "get_product", read)
    db = fresh_db.read()
    product = catalog_store.get_product(db, "SKU-1")
    assert ("Plain teapot", 1_200) == (product["name"], product["price"])
    (indexed,) = db.execute("SELECT s.name FROM search_index s JOIN products p ON p.pk = s.rowid WHERE p.id = ?",
                            ["SKU-1"]).fetchall()
    assert index_text("Plain teapot") == indexed[0]


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_two_synonym_lists_saved_at_once_never_merge(fresh_db, settings):
    """One operator's list is being saved on another server when a second one saves theirs: the second replaces the
    first whole, instead of its DELETE missing the first's new rows and the two lists merging."""
    import threading

    from catalog import store as catalog_store
    from server.postgres import PostgresDatabase

    with fresh_db.write() as db:
        catalog_store.replace_synonym_groups(db, [["old", "stale"]])
    other, thread = PostgresDatabase(settings.database_url, max_size=1), threading.Thread(target=lambda: _replace(
        fresh_db, [["mug", "cup"]]))
    with other.write() as db:
        catalog_store.replace_synonym_groups(db, [["sofa", "couch"]])
        thread.start()
        thread.join(0.5)
    thread.join(30)
    other.close()
    assert [["cup", "mug"]] == catalog_store.synonym_groups(fresh_db.read())


def _replace(database, groups) -> None:
    from catalog import store as catalog_store

    with database.write() as db:
        catalog_store.replace_synonym_groups(db, groups)
