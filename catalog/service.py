"""Catalog reads as the API and pages need them: detail, paged listings, full-text search."""

from __future__ import annotations

import re
from typing import Any

from media.describe import describe_images

from . import store
from .cursor import decode_cursor, encode_cursor
from .errors import BadQuery, UnknownProduct
from .models import Product, ProductPage, ProductSummary, availability

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 12


def search_words(q: str) -> list[str]:
    """The words of shopper text to search for (query syntax in it is reduced to words), at most MAX_QUERY_WORDS."""
    words = _WORD.findall(q)[:MAX_QUERY_WORDS]
    if not words:
        raise BadQuery("q has no words to search for")
    return words


def _product(row: dict, images: list) -> Product:
    return Product(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        price=row["price"],
        currency=row["currency"],
        category=row["category"],
        stock=row["stock"],
        availability=availability(row["stock"]),
        images=images,
        version=row["version"],
        updated_at=row["updated_at"],
    )


def product_detail(db: Any, product_id: str) -> Product:
    """One product with all its images, or UnknownProduct."""
    row = store.get_product(db, product_id)
    if row is None:
        raise UnknownProduct(f"no product with id {product_id!r}")
    ids = store.image_ids(db, [product_id])[product_id]
    described = describe_images(db, ids)
    return _product(row, [described[i] for i in ids if i in described])


def product_page(db: Any, *, cursor: str | None, limit: int, q: str | None, category: str | None) -> ProductPage:
    """One page of the listing, resuming after the cursor's position."""
    q = q.strip() if q else None
    after = decode_cursor(cursor, q, category) if cursor else None
    words = search_words(q) if q else None
    rows = store.list_products(db, after=after, limit=limit + 1, words=words, category=category)
    more = len(rows) > limit
    rows = rows[:limit]
    first = store.image_ids(db, [r["id"] for r in rows], first_only=True)
    described = describe_images(db, [ids[0] for ids in first.values() if ids])
    items = [
        ProductSummary(
            id=r["id"],
            name=r["name"],
            price=r["price"],
            currency=r["currency"],
            category=r["category"],
            availability=availability(r["stock"]),
            image=described.get(first[r["id"]][0]) if first[r["id"]] else None,
        )
        for r in rows
    ]
    next_cursor = encode_cursor(rows[-1]["id"], q, category) if more else None
    return ProductPage(items=items, next_cursor=next_cursor)
