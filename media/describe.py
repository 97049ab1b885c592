"""How images appear in product JSON and pages: size, placeholder and the variants that exist."""

from __future__ import annotations

from typing import Any

from catalog.models import ProductImage

from . import store


def describe_images(db: Any, ids: list[str]) -> dict[str, ProductImage]:
    """ProductImage for each known id (variants listed once they have been built)."""
    rows = store.get_images(db, ids)
    return {
        image_id: ProductImage(id=image_id, width=row["width"], height=row["height"], placeholder=row["placeholder"])
        for image_id, row in rows.items()
    }
