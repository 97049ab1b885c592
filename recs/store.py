"""The recommendation room's SQL: the item-to-item neighbours and the popularity list a refresh computes.

Both are aggregates over every shopper (no personal data); one refresh replaces them in one write
transaction, so a reader in any process sees the whole old model or the whole new one, never a mix.
"""

from __future__ import annotations

from typing import Any

from clock.rows import column

DOMAIN = "recs"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "item neighbours and popularity",
        [
            """CREATE TABLE recs_neighbours (
                sku TEXT NOT NULL,
                neighbour TEXT NOT NULL,
                score REAL NOT NULL,
                PRIMARY KEY (sku, neighbour)
            )""",
            """CREATE TABLE recs_popularity (
                sku TEXT PRIMARY KEY,
                score REAL NOT NULL
            )""",
            """CREATE TABLE recs_model (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                refreshed_at TEXT NOT NULL,
                shoppers INTEGER NOT NULL,
                items INTEGER NOT NULL
            )""",
        ],
    ),
]


def _marks(values: list) -> str:
    return ",".join("?" for _ in values)


def replace_model(db: Any, neighbours: dict[str, list[tuple[str, float]]], popularity: list[tuple[str, float]],
                  refreshed_at: str, shoppers: int) -> None:
    """Swap in a new model (in the caller's write transaction: readers see the old one until it commits).

    The one `recs_model` row is written first: its row lock queues a second refresh running at the same time
    (PostgreSQL; SQLite has one writer anyway) until this one commits, so its DELETE then sees, and removes, every
    row this one wrote, and the tables never hold a mix of two refreshes.
    """
    db.execute(
        "INSERT INTO recs_model (id, refreshed_at, shoppers, items) VALUES (1, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at, shoppers = excluded.shoppers,"
        " items = excluded.items",
        [refreshed_at, shoppers, len(neighbours)],
    )
    db.execute("DELETE FROM recs_neighbours")
    db.execute("DELETE FROM recs_popularity")
    for sku, near in neighbours.items():
        for neighbour, score in near:
            db.execute(
                "INSERT INTO recs_neighbours (sku, neighbour, score) VALUES (?, ?, ?)"
                " ON CONFLICT (sku, neighbour) DO UPDATE SET score = excluded.score",
                [sku, neighbour, score],
            )
    for sku, score in popularity:
        db.execute(
            "INSERT INTO recs_popularity (sku, score) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET score = excluded.score",
            [sku, score],
        )


def neighbours_of(db: Any, skus: list[str]) -> dict[str, list[tuple[str, float]]]:
    """Each of ``skus``' stored neighbours, best first (at most what a refresh keeps per item)."""
    out: dict[str, list[tuple[str, float]]] = {sku: [] for sku in skus}
    if not skus:
        return out
    for sku, neighbour, score in db.execute(
        f"SELECT sku, neighbour, score FROM recs_neighbours WHERE sku IN ({_marks(skus)})"
        " ORDER BY sku, score DESC, neighbour",
        skus,
    ):
        out[sku].append((neighbour, score))
    return out


def popular(db: Any, limit: int) -> list[str]:
    """The most popular products, best first."""
    return column(db, "SELECT sku FROM recs_popularity ORDER BY score DESC, sku LIMIT ?", [limit])
