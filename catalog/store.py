"""SQL of the catalog room: products, their image order, and the FTS5 index over name and description."""

from __future__ import annotations

from typing import Any, Iterable

DOMAIN = "catalog"

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
            " name, description, content='products', content_rowid='pk', tokenize='unicode61 remove_diacritics 2')",
             "postgresql": "ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS"
             " (to_tsvector('simple', name || ' ' || description)) STORED"},
            {"postgresql": "CREATE INDEX products_search ON products USING gin (search)"},
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
        "catalog version sequence",
        [
            {"sqlite": "INSERT INTO sequences (name, value) SELECT 'catalog_version', COALESCE(MAX(version), 0) FROM products",
             "postgresql": "CREATE SEQUENCE catalog_version"},
            {"postgresql": "SELECT setval('catalog_version', COALESCE((SELECT MAX(version) FROM products), 0) + 1, false)"},
        ],
    ),
    (
        3,
        "change signal",
        [  # every process's product cache drops what it holds when these change (server/postgres.py)
            {"postgresql": "CREATE TRIGGER products_changed AFTER INSERT OR UPDATE OR DELETE ON products"
             " FOR EACH STATEMENT EXECUTE FUNCTION lastmile_notify_change()"},
            {"postgresql": "CREATE TRIGGER product_images_changed AFTER INSERT OR UPDATE OR DELETE ON product_images"
             " FOR EACH STATEMENT EXECUTE FUNCTION lastmile_notify_change()"},
        ],
    ),
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


def _fts5_query(words: list[str]) -> str:
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _tsquery(words: list[str]) -> str:
    quoted = ["'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def list_products(db: Any, *, after: str | None, limit: int, words: list[str] | None, category: str | None) -> list[dict]:
    """Up to ``limit`` product rows after ``after`` in id order (keyset paging), filtered.

    ``words``: every one must match, the last as a prefix (search-as-you-type); FTS5 on SQLite, a
    GIN-indexed tsvector on PostgreSQL.
    """
    where = ["p.id > ?"]
    params: list[Any] = [after or ""]
    join = ""
    if words:
        if db.dialect == "postgresql":
            where.append("p.search @@ to_tsquery('simple', ?)")
            params.append(_tsquery(words))
        else:
            join = " JOIN products_fts f ON f.rowid = p.pk"
            where.append("products_fts MATCH ?")
            params.append(_fts5_query(words))
    if category is not None:
        where.append("p.category = ?")
        params.append(category)
    params.append(limit)
    sql = f"SELECT {_COLUMNS} FROM products p{join} WHERE {' AND '.join(where)} ORDER BY p.id LIMIT ?"
    return list(db.query(sql, params))


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
    db.execute(
        "INSERT INTO products (id, name, description, price, currency, category, stock, version, updated_at)"
        " VALUES (:id, :name, :description, :price, :currency, :category, :stock, :version, :now)"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,"
        " price = excluded.price, currency = excluded.currency, category = excluded.category,"
        " stock = excluded.stock, version = excluded.version, updated_at = excluded.updated_at",
        {**row, "version": version, "now": now},
    )
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
