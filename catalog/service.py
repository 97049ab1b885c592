"""Catalog reads as the API and pages need them: detail, paged listings, ranked full-text search."""

from __future__ import annotations

from typing import Any

from clock.rows import from_row
from media.describe import describe_images

from . import store
from .cursor import decode_position, encode_cursor
from .errors import BadCursor, UnknownProduct
from .models import Product, ProductPage, ProductSummary, availability
from .search import match_expression


def _product(row: dict, images: list) -> Product:
    return from_row(Product, row, availability=availability(row["stock"]), images=images)


def _summaries(db: Any, rows: list[dict]) -> list[ProductSummary]:
    first = store.image_ids(db, [r["id"] for r in rows], first_only=True)
    described = describe_images(db, [ids[0] for ids in first.values() if ids])
    return [
        from_row(ProductSummary, r, availability=availability(r["stock"]),
                 image=described.get(first[r["id"]][0]) if first[r["id"]] else None)
        for r in rows
    ]


def summaries(db: Any, product_ids: list[str]) -> list[ProductSummary]:
    """Listing summaries of these products in this order (ids with no product are left out)."""
    rows = store.get_products(db, product_ids)
    return _summaries(db, [rows[i] for i in product_ids if i in rows])


def require_product(db: Any, product_id: str) -> None:
    """UnknownProduct unless the product exists."""
    if store.get_product(db, product_id) is None:
        raise UnknownProduct(f"no product with id {product_id!r}")


def product_detail(db: Any, product_id: str) -> Product:
    """One product with all its images, or UnknownProduct."""
    row = store.get_product(db, product_id)
    if row is None:
        raise UnknownProduct(f"no product with id {product_id!r}")
    ids = store.image_ids(db, [product_id])[product_id]
    described = describe_images(db, ids)
    return _product(row, [described[i] for i in ids if i in described])


def product_page(
    db: Any, *, cursor: str | None, limit: int, q: str | None, category: str | None, synonyms: bool = True
) -> ProductPage:
    """One page of the listing (id order; best match first when searching), resuming after the cursor's position."""
    q = q.strip() if q else None
    after, score = decode_position(cursor, q, category) if cursor else (None, None)
    if q:
        match = match_expression(db, q, synonyms=synonyms)
        if after is not None and score is None:
            raise BadCursor("cursor is not one of a search (it has no relevance position)")
        position = (score, after) if after is not None and score is not None else None
        exact = match_expression(db, q, synonyms=False, typos=False)
        rows = store.ranked_matches(db, match=match, exact=exact, after=position, limit=limit + 1, category=category)
    else:
        rows = store.list_products(db, after=after, limit=limit + 1, category=category)
    more = len(rows) > limit
    rows = rows[:limit]
    items = _summaries(db, rows)
    next_cursor = encode_cursor(rows[-1]["id"], q, category, rows[-1]["score"] if q else None) if more else None
    return ProductPage(items=items, next_cursor=next_cursor)
