"""SQL of the shoppers' browse history: product views per shopper, product and day (tables in store.MIGRATIONS)."""

from __future__ import annotations

from typing import Any


def _marks(values: list) -> str:
    return ",".join("?" for _ in values)


def add_product_views(db: Any, user_id: int, day: str, counts: dict[str, int], cap: int) -> None:
    """Count views of each product on ``day`` (each bounded by ``cap``, so a noisy client cannot grow a row)."""
    for sku, count in counts.items():
        db.execute(
            "INSERT INTO retention_product_views (user_id, sku, day, views) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, sku, day) DO UPDATE SET views = CASE"
            " WHEN retention_product_views.views + excluded.views > ? THEN ?"
            " ELSE retention_product_views.views + excluded.views END",
            [user_id, sku, day, min(count, cap), cap, cap],
        )


def insert_product_views(db: Any, rows: list[tuple[int, str, str, int]]) -> None:
    """Bulk-insert (user_id, sku, day, views) rows that do not exist yet (the demo's browse histories)."""
    for row in rows:
        db.execute(
            "INSERT INTO retention_product_views (user_id, sku, day, views) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, sku, day) DO NOTHING",
            list(row),
        )


def insert_daily_views(db: Any, rows: list[tuple[int, str, int]]) -> None:
    """Bulk-insert (user_id, day, views) rows of the daily view counts that do not exist yet."""
    for row in rows:
        db.execute(
            "INSERT INTO retention_views (user_id, day, views) VALUES (?, ?, ?) ON CONFLICT (user_id, day) DO NOTHING",
            list(row),
        )


def product_views_since(db: Any, user_ids: list[int], day: str) -> dict[int, dict[str, int]]:
    """Per shopper: views of each product from ``day`` on."""
    out: dict[int, dict[str, int]] = {u: {} for u in user_ids}
    if not user_ids:
        return out
    for user_id, sku, views in db.execute(
        "SELECT user_id, sku, SUM(views) FROM retention_product_views"
        f" WHERE day >= ? AND user_id IN ({_marks(user_ids)}) GROUP BY user_id, sku",
        [day, *user_ids],
    ):
        out[user_id][sku] = views
    return out
