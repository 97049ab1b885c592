"""How images appear in product JSON and pages: size, placeholder and the variants that exist."""

from __future__ import annotations

from typing import Any

from . import store
from .models import ProductImage, Variant


def variant_url(image_id: str, width: int, fmt: str) -> str:
    """The immutable URL of one variant."""
    return f"/media/{image_id}/{width}.{fmt}"


def describe_images(db: Any, ids: list[str]) -> dict[str, ProductImage]:
    """ProductImage for each known id, listing only variants that have been built (AVIF may follow later).

    A variant's ``width`` is its real pixel width (what srcset needs); the URL names the configured width.
    """
    rows = store.get_images(db, ids)
    variants = store.get_variants(db, list(rows))
    return {
        image_id: ProductImage(
            id=image_id,
            width=row["width"],
            height=row["height"],
            placeholder=row["placeholder"],
            variants=[
                Variant(width=v["pixel_width"], format=v["format"], url=variant_url(image_id, v["width"], v["format"]),
                        bytes=v["bytes"])
                for v in variants.get(image_id, [])
            ],
        )
        for image_id, row in rows.items()
    }
