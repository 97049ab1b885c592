"""SQL of the reviews room: one review per shopper and product, listed newest first by keyset."""

from __future__ import annotations

from typing import Any

DOMAIN = "reviews"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "reviews",
        [
            """CREATE TABLE reviews (
                id INTEGER PRIMARY KEY,
                sku TEXT NOT NULL,
                user_id INTEGER NOT NULL,
                rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                body TEXT NOT NULL,
                display_name TEXT,                -- chosen by the reviewer; NULL shows as "verified buyer"
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (user_id, sku)
            )""",
            "CREATE INDEX reviews_sku ON reviews (sku, id)",
        ],
    ),
]


def insert_review(db: Any, row: dict) -> int | None:
    """A shopper's first review of a product; its id, or None when they reviewed it already (any process)."""
    found = db.execute(
        "INSERT INTO reviews (sku, user_id, rating, body, display_name, created_at, updated_at)"
        " VALUES (:sku, :user_id, :rating, :body, :display_name, :now, :now)"
        " ON CONFLICT (user_id, sku) DO NOTHING RETURNING id",
        row,
    ).fetchone()
    return found[0] if found else None


def update_review(db: Any, row: dict) -> int:
    """Replace a shopper's review of a product (rating, text, name); its id."""
    return db.execute(
        "UPDATE reviews SET rating = :rating, body = :body, display_name = :display_name, updated_at = :now"
        " WHERE user_id = :user_id AND sku = :sku RETURNING id",
        row,
    ).fetchone()[0]


def get_review(db: Any, review_id: int) -> dict | None:
    """One review row."""
    rows = list(db.query("SELECT * FROM reviews WHERE id = ?", [review_id]))
    return rows[0] if rows else None


def review_of(db: Any, user_id: int, sku: str) -> dict | None:
    """A shopper's review of one product, if they wrote one."""
    rows = list(db.query("SELECT * FROM reviews WHERE user_id = ? AND sku = ?", [user_id, sku]))
    return rows[0] if rows else None


def page(db: Any, sku: str, before: int | None, limit: int) -> list[dict]:
    """A product's reviews newest first, with ids below ``before``."""
    return list(db.query(
        "SELECT * FROM reviews WHERE sku = ? AND id < ? ORDER BY id DESC LIMIT ?",
        [sku, before if before is not None else 2**62, limit],
    ))


def rating_totals(db: Any, sku: str) -> tuple[int, int]:
    """(how many reviews, the sum of their ratings) of a product."""
    count, total = db.execute("SELECT COUNT(*), COALESCE(SUM(rating), 0) FROM reviews WHERE sku = ?", [sku]).fetchone()
    return count, total


def user_reviews(db: Any, user_id: int) -> list[dict]:
    """A shopper's reviews (their data export)."""
    return list(db.query("SELECT * FROM reviews WHERE user_id = ? ORDER BY id", [user_id]))


def delete_user_reviews(db: Any, user_id: int) -> int:
    """Delete a shopper's reviews; how many."""
    return db.execute("DELETE FROM reviews WHERE user_id = ?", [user_id]).rowcount
