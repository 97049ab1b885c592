"""SQL of the catalog room: products, their image order, search synonyms, and the full-text index.

Every FTS5-specific statement lives in the functions under "Full-text search" at the end (index_text_of,
ranked_matches, known_terms, terms_by_frequency, terms_with_prefix) so another engine's port replaces only those.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from clock.cache_signal import count_steps, notify_steps

from .search_text import index_text

DOMAIN = "catalog"

CACHED_TABLES = ("products", "product_images")
"""What product responses show of this room: every process's product cache drops what it holds when these change."""

MIGRATIONS: list[tuple[int, str, list[str | dict]]] = [
    (
        1,
        "products",
        [
            """CREATE TABLE products (
                pk INTEGER PRIMARY KEY,          -- integer rowid for the FTS5 external content
                id TEXT NOT NULL UNIQUE,         -- the SKU, the public id
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                price INTEGER NOT NULL CHECK (price >= 0),
                currency TEXT NOT NULL,
                category TEXT NOT NULL,
                stock INTEGER NOT NULL CHECK (stock >= 0),
                version INTEGER NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX products_category_id ON products (category, id)",
            """CREATE TABLE product_images (
                product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                image_id TEXT NOT NULL REFERENCES images (id),
                PRIMARY KEY (product_id, position)
            )""",
            {"sqlite": "CREATE VIRTUAL TABLE products_fts USING fts5("
            " name, description, content='products', content_rowid='pk', tokenize='unicode61 remove_diacritics 2')"},
            {"sqlite": """CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
                INSERT INTO products_fts (rowid, name, description) VALUES (new.pk, new.name, new.description);
            END"""},
            {"sqlite": """CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
                INSERT INTO products_fts (products_fts, rowid, name, description)
                VALUES ('delete', old.pk, old.name, old.description);
            END"""},
            {"sqlite": """CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description ON products BEGIN
                INSERT INTO products_fts (products_fts, rowid, name, description)
                VALUES ('delete', old.pk, old.name, old.description);
                INSERT INTO products_fts (rowid, name, description) VALUES (new.pk, new.name, new.description);
            END"""},
        ],
    ),
    (
        2,
        "search index with CJK bigrams, vocabulary, synonyms",
        [
            # The index now holds segmented text (catalog/search_text.py) that triggers cannot compute, so it
            # stores its own copy and the store writes it (upsert_product).
            {"sqlite": "DROP TRIGGER products_fts_insert"},
            {"sqlite": "DROP TRIGGER products_fts_delete"},
            {"sqlite": "DROP TRIGGER products_fts_update"},
            {"sqlite": "DROP TABLE products_fts"},
            {"sqlite": "CREATE VIRTUAL TABLE search_index USING fts5(name, description,"
                       " tokenize='unicode61 remove_diacritics 2')",
             # PostgreSQL: the same rows, a weighted tsvector (name A, description D) and a GIN index.
             "postgresql": "CREATE TABLE search_index (rowid BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                           " description TEXT NOT NULL, doc tsvector GENERATED ALWAYS AS"
                           " (setweight(to_tsvector('simple', name), 'A')"
                           " || setweight(to_tsvector('simple', description), 'D')) STORED)"},
            {"postgresql": "CREATE INDEX search_index_doc ON search_index USING gin (doc)"},
            {"sqlite": "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_index, 'row')",
             "postgresql": "CREATE VIEW search_vocab AS SELECT word AS term, ndoc AS doc"
                           " FROM ts_stat('SELECT doc FROM search_index')"},
            lambda db: reindex_all(db),
            """CREATE TABLE search_synonyms (
                group_no INTEGER NOT NULL,
                term TEXT NOT NULL,
                PRIMARY KEY (group_no, term)
            )""",
            "CREATE INDEX search_synonyms_term ON search_synonyms (term)",
        ],
    ),
    (
        3,
        "catalog version sequence",
        [
            {"sqlite": "INSERT INTO sequences (name, value) SELECT 'catalog_version', COALESCE(MAX(version), 0) FROM products",
             "postgresql": "CREATE SEQUENCE catalog_version"},
            {"postgresql": "SELECT setval('catalog_version', COALESCE((SELECT MAX(version) FROM products), 0) + 1, false)"},
        ],
    ),
    (4, "change signal", notify_steps(CACHED_TABLES)),
    (5, "change count on SQLite", count_steps(CACHED_TABLES)),
]

_COLUMNS = "p.id, p.name, p.description, p.price, p.currency, p.category, p.stock, p.version, p.updated_at"


def get_product(db: Any, product_id: str) -> dict | None:
    """One product row, or None."""
    rows = list(db.query(f"SELECT {_COLUMNS} FROM products p WHERE p.id = ?", [product_id]))
    return rows[0] if rows else None


def get_products(db: Any, ids: Iterable[str]) -> dict[str, dict]:
    """Product rows for these ids, keyed by id."""
    ids = list(ids)
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    return {r["id"]: r for r in db.query(f"SELECT {_COLUMNS} FROM products p WHERE p.id IN ({marks})", ids)}


def image_ids(db: Any, product_ids: list[str], first_only: bool = False) -> dict[str, list[str]]:
    """Each product's image ids in display order."""
    if not product_ids:
        return {}
    marks = ",".join("?" for _ in product_ids)
    extra = " AND position = 0" if first_only else ""
    result: dict[str, list[str]] = {pid: [] for pid in product_ids}
    for row in db.query(
        f"SELECT product_id, image_id FROM product_images WHERE product_id IN ({marks}){extra}"
        " ORDER BY product_id, position",
        product_ids,
    ):
        result[row["product_id"]].append(row["image_id"])
    return result


def list_products(db: Any, *, after: str | None, limit: int, category: str | None) -> list[dict]:
    """Up to ``limit`` product rows after ``after`` in id order (keyset paging), filtered."""
    where = ["p.id > ?"]
    params: list[Any] = [after or ""]
    if category is not None:
        where.append("p.category = ?")
        params.append(category)
    params.append(limit)
    sql = f"SELECT {_COLUMNS} FROM products p WHERE {' AND '.join(where)} ORDER BY p.id LIMIT ?"
    return list(db.query(sql, params))


def all_products(db: Any, page_size: int = 500) -> list[dict]:
    """Every product row in id order, read page by page (one snapshot when ``db`` is one)."""
    found: list[dict] = []
    while page := list_products(db, after=found[-1]["id"] if found else None, limit=page_size, category=None):
        found += page
    return found


def categories(db: Any) -> list[dict]:
    """Every category with its product count."""
    return list(db.query("SELECT category, count(*) AS products FROM products GROUP BY category ORDER BY category"))


def upsert_product(db: Any, row: dict, images: list[str], now: str) -> str:
    """Insert or update one product and its image list; 'created', 'updated' or 'unchanged'."""
    current = get_product(db, row["id"])
    if current is not None:
        same = all(current[k] == row[k] for k in ("name", "description", "price", "currency", "category", "stock"))
        if same and image_ids(db, [row["id"]])[row["id"]] == images:
            return "unchanged"
    version = db.next_value("catalog_version")
    pk = db.execute(
        "INSERT INTO products (id, name, description, price, currency, category, stock, version, updated_at)"
        " VALUES (:id, :name, :description, :price, :currency, :category, :stock, :version, :now)"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,"
        " price = excluded.price, currency = excluded.currency, category = excluded.category,"
        " stock = excluded.stock, version = excluded.version, updated_at = excluded.updated_at"
        " RETURNING pk",
        {**row, "version": version, "now": now},
    ).fetchone()[0]
    # Compared with what the index holds now that this row is locked (not with ``current``, read before: another
    # process may have renamed the product since, and its index entry must not outlive this write).
    indexed = db.execute("SELECT name, description FROM search_index WHERE rowid = ?", [pk]).fetchone()
    terms = (index_text(row["name"]), index_text(row["description"]))  # segmented once, compared and written
    if indexed is None or tuple(indexed) != terms:
        _put_index(db, pk, *terms)
    db.execute("DELETE FROM product_images WHERE product_id = ?", [row["id"]])
    for position, image_id in enumerate(images):
        db.execute(
            "INSERT INTO product_images (product_id, position, image_id) VALUES (?, ?, ?)",
            [row["id"], position, image_id],
        )
    return "updated" if current is not None else "created"


def set_stock(db: Any, product_id: str, stock: int, now: str) -> bool:
    """Set a product's stock (operators); False if there is no such product."""
    version = db.next_value("catalog_version")
    cur = db.execute(
        "UPDATE products SET stock = ?, version = ?, updated_at = ? WHERE id = ?", [stock, version, now, product_id]
    )
    return cur.rowcount == 1


def take_stock(db: Any, product_id: str, qty: int, now: str) -> bool:
    """Take ``qty`` units (checkout); False when fewer are left, so stock never goes below zero whoever races."""
    version = db.next_value("catalog_version")
    cur = db.execute(
        "UPDATE products SET stock = stock - ?, version = ?, updated_at = ? WHERE id = ? AND stock >= ?",
        [qty, version, now, product_id, qty],
    )
    return cur.rowcount == 1


def return_stock(db: Any, product_id: str, qty: int, now: str) -> bool:
    """Put ``qty`` units back (a cancelled order); False if there is no such product."""
    version = db.next_value("catalog_version")
    cur = db.execute(
        "UPDATE products SET stock = stock + ?, version = ?, updated_at = ? WHERE id = ?", [qty, version, now, product_id]
    )
    return cur.rowcount == 1


def count_products(db: Any) -> int:
    """How many products there are."""
    return db.execute("SELECT count(*) FROM products").fetchone()[0]


def set_price(db: Any, product_id: str, price: int, now: str) -> bool:
    """Set a product's price (operators in the console); False if there is no such product."""
    version = db.next_value("catalog_version")
    cur = db.execute(
        "UPDATE products SET price = ?, version = ?, updated_at = ? WHERE id = ?", [price, version, now, product_id]
    )
    return cur.rowcount == 1


def negative_stock(db: Any) -> list[dict]:
    """Products whose stock is below zero (`lastmile verify`; the schema's CHECK should make this empty)."""
    return list(db.query("SELECT id, stock FROM products WHERE stock < 0 ORDER BY id"))


def synonym_groups(db: Any) -> list[list[str]]:
    """The operators' synonym groups in the order they were saved."""
    groups: dict[int, list[str]] = {}
    for row in db.query("SELECT group_no, term FROM search_synonyms ORDER BY group_no, term"):
        groups.setdefault(row["group_no"], []).append(row["term"])
    return list(groups.values())


def replace_synonym_groups(db: Any, groups: list[list[str]]) -> None:
    """Replace every operator synonym group at once (one transaction: readers see the old or the new list).

    Two replacements at once are serialised: the second's DELETE would not see rows the first inserted, and the
    lists would merge.
    """
    db.lock("catalog-synonyms")
    db.execute("DELETE FROM search_synonyms")
    for group_no, terms in enumerate(groups):
        for term in terms:
            db.execute(
                "INSERT INTO search_synonyms (group_no, term) VALUES (?, ?) ON CONFLICT (group_no, term) DO NOTHING",
                [group_no, term],
            )


def operator_synonyms(db: Any, terms: list[str]) -> dict[str, set[str]]:
    """For each of these terms found in an operator group, the other terms of its groups."""
    if not terms:
        return {}
    marks = ",".join("?" for _ in terms)
    found: dict[str, set[str]] = {}
    for row in db.query(
        "SELECT a.term AS term, b.term AS synonym FROM search_synonyms a"
        f" JOIN search_synonyms b ON b.group_no = a.group_no AND b.term <> a.term WHERE a.term IN ({marks})",
        terms,
    ):
        found.setdefault(row["term"], set()).add(row["synonym"])
    return found


# Full-text search: the FTS5-specific statements, nowhere else.

NAME_WEIGHT = 10.0  # a word in the name says more about the product than the same word in its description
DESCRIPTION_WEIGHT = 1.0


def index_text_of(db: Any, pk: int, name: str, description: str) -> None:
    """(Re)write one product's entry in the full-text index (CJK segmented)."""
    _put_index(db, pk, index_text(name), index_text(description))


def _put_index(db: Any, pk: int, name_terms: str, description_terms: str) -> None:
    db.execute("DELETE FROM search_index WHERE rowid = ?", [pk])
    db.execute("INSERT INTO search_index (rowid, name, description) VALUES (?, ?, ?)", [pk, name_terms, description_terms])


def reindex_all(db: Any) -> None:
    """Rebuild every product's full-text entry (a migration; `db copy`, whose source's FTS5 rows do not copy)."""
    for row in list(db.query("SELECT pk, name, description FROM products")):
        index_text_of(db, row["pk"], row["name"], row["description"])


EXPANDED_PENALTY = 1000.0  # BM25 scores are small negatives: this puts every synonym/typo-only match after


def ranked_matches(
    db: Any, *, match: str, after: tuple[float, str] | None, limit: int, category: str | None, exact: str | None = None
) -> list[dict]:
    """Up to ``limit`` rows matching the FTS5 expression, best first, after the (score, id) position.

    score = BM25 (lower is better), plus EXPANDED_PENALTY when the row does not also match ``exact`` (the words
    as typed), so synonym and typo matches follow the literal ones; ties in id order. Each row carries its
    ``score`` so the next cursor resumes exactly after it.
    """
    if db.dialect == "postgresql":
        return _ranked_matches_pg(db, match=match, after=after, limit=limit, category=category, exact=exact)
    params: list[Any] = [NAME_WEIGHT, DESCRIPTION_WEIGHT, match]
    literal = "0.0"
    if exact is not None and exact != match:
        literal = "CASE WHEN pk IN (SELECT rowid FROM search_index WHERE search_index MATCH ?) THEN 0.0 ELSE ? END"
        params += [exact, EXPANDED_PENALTY]
    where, values = _ranked_page_filter(after, category)
    params += [*values, limit]
    sql = (
        "WITH m AS (SELECT rowid AS pk, bm25(search_index, ?, ?) AS bm FROM search_index"
        " WHERE search_index MATCH ?),"
        f" r AS (SELECT pk, bm + {literal} AS score FROM m)"
        f" SELECT {_COLUMNS}, r.score AS score FROM r JOIN products p ON p.pk = r.pk{where}"
        " ORDER BY r.score, p.id LIMIT ?"
    )
    return list(db.query(sql, params))


def _ranked_page_filter(after: tuple[float, str] | None, category: str | None) -> tuple[str, list[Any]]:
    """The WHERE clause of a ranked page (after the last (score, id), in one category) and its values: both
    dialects' rankings page the same way."""
    where: list[str] = []
    values: list[Any] = []
    if after is not None:
        where.append("(r.score > ? OR (r.score = ? AND p.id > ?))")
        values += [after[0], after[0], after[1]]
    if category is not None:
        where.append("p.category = ?")
        values.append(category)
    return (" WHERE " + " AND ".join(where) if where else ""), values


_FTS_TOKEN = re.compile(r'"((?:[^"]|"")*)"(\*?)|(\(|\)|\bAND\b|\bOR\b)')


def _tsquery(match: str) -> str:
    """An FTS5 expression of catalog/search.py (quoted phrases, ``*``, AND, OR, parentheses) as a tsquery."""
    out = []
    for phrase, star, op in _FTS_TOKEN.findall(match):
        if op:
            out.append({"AND": "&", "OR": "|"}.get(op, op))
            continue
        words = phrase.replace('""', '"').split() or ["''"]
        lexemes = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words]
        out.append(" <-> ".join(lexemes) + (":*" if star else ""))
    return " ".join(out)


def _ranked_matches_pg(db: Any, *, match: str, after: tuple[float, str] | None, limit: int, category: str | None,
                       exact: str | None) -> list[dict]:
    # PostgreSQL's twin: ts_rank with name weighted NAME_WEIGHT to 1 over description, negated so that lower
    # is better as with BM25; the same penalty for rows that match only through synonyms or corrections.
    weights = "'{%s, 0, 0, %s}'::float4[]" % (DESCRIPTION_WEIGHT / NAME_WEIGHT, 1.0)
    params: list[Any] = [_tsquery(match), _tsquery(match)]
    literal = "0.0"
    if exact is not None and exact != match:
        literal = ("CASE WHEN pk IN (SELECT rowid FROM search_index WHERE doc @@ to_tsquery('simple', ?))"
                   " THEN 0.0 ELSE ? END")
        params += [_tsquery(exact), EXPANDED_PENALTY]
    where, values = _ranked_page_filter(after, category)
    params += [*values, limit]
    sql = (
        f"WITH m AS (SELECT rowid AS pk, -ts_rank({weights}, doc, to_tsquery('simple', ?))::float8 AS bm"
        " FROM search_index WHERE doc @@ to_tsquery('simple', ?)),"
        f" r AS (SELECT pk, bm + {literal} AS score FROM m)"
        f" SELECT {_COLUMNS}, r.score AS score FROM r JOIN products p ON p.pk = r.pk{where}"
        " ORDER BY r.score, p.id LIMIT ?"
    )
    return list(db.query(sql, params))


def known_terms(db: Any, terms: Iterable[str]) -> dict[str, int]:
    """Which of these terms the index holds, with how many products hold each."""
    terms = list(terms)
    if not terms:
        return {}
    marks = ",".join("?" for _ in terms)
    return {r["term"]: r["doc"] for r in db.query(f"SELECT term, doc FROM search_vocab WHERE term IN ({marks})", terms)}


def terms_by_frequency(db: Any, prefix: str, min_length: int, max_length: int, limit: int) -> list[str]:
    """Up to ``limit`` indexed terms starting with ``prefix`` of these lengths, the most common first."""
    rows = db.query(
        "SELECT term FROM search_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?"
        " ORDER BY doc DESC, term LIMIT ?",
        [prefix, prefix + "\U0010ffff", min_length, max_length, limit],
    )
    return [r["term"] for r in rows]


def terms_with_prefix(db: Any, prefix: str, limit: int) -> list[str]:
    """Up to ``limit`` indexed terms starting with ``prefix``, the most common first (suggestions, typo checks)."""
    upper = prefix + "\U0010ffff"
    rows = db.query(
        "SELECT term FROM search_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC, term LIMIT ?",
        [prefix, upper, limit],
    )
    return [r["term"] for r in rows]
