"""SQL of retention's watch on the catalog: when each product was first seen, and when it last came back in
stock (the new-arrivals and back-in-stock triggers; table in store.MIGRATIONS)."""

from __future__ import annotations

from typing import Any

FIRST_RUN = "1970-01-01T00:00:00.000000Z"
"""Products already there when the watch starts count as old, not as new arrivals."""


def watched(db: Any) -> dict[str, dict]:
    """Every watched product: sku -> {first_seen_at, in_stock, restocked_at}."""
    return {r["sku"]: r for r in db.query("SELECT * FROM retention_catalog_watch")}


def observe(db: Any, products: list[dict], now: str, first_run: bool) -> None:
    """Record the catalog as it is now: new SKUs (seen now, or as old on the first run), and restocks."""
    for product in products:
        in_stock = int(product["stock"] > 0)
        db.execute(
            "INSERT INTO retention_catalog_watch (sku, category, first_seen_at, in_stock, restocked_at)"
            " VALUES (?, ?, ?, ?, NULL) ON CONFLICT (sku) DO UPDATE SET category = excluded.category,"
            " restocked_at = CASE WHEN retention_catalog_watch.in_stock = 0 AND excluded.in_stock = 1 THEN ?"
            " ELSE retention_catalog_watch.restocked_at END, in_stock = excluded.in_stock",
            [product["id"], product["category"], FIRST_RUN if first_run else now, in_stock, now],
        )


def arrivals_since(db: Any, since: str) -> dict[str, list[str]]:
    """Products first seen at or after ``since`` and in stock, by category."""
    out: dict[str, list[str]] = {}
    for sku, category in db.execute(
        "SELECT sku, category FROM retention_catalog_watch WHERE first_seen_at >= ? AND in_stock = 1 ORDER BY sku",
        [since],
    ):
        out.setdefault(category, []).append(sku)
    return out


def restocked_since(db: Any, since: str) -> dict[str, str]:
    """sku -> when it came back in stock, for products restocked at or after ``since`` and still in stock."""
    return {sku: at for sku, at in db.execute(
        "SELECT sku, restocked_at FROM retention_catalog_watch WHERE restocked_at >= ? AND in_stock = 1", [since])}


def is_empty(db: Any) -> bool:
    """True before the first observation."""
    return db.execute("SELECT 1 FROM retention_catalog_watch LIMIT 1").fetchone() is None
