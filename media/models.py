"""Media wire Structs: an image as product JSON and pages carry it (size, placeholder, built variants)."""

from __future__ import annotations

import msgspec


class Variant(msgspec.Struct, rename="camel", frozen=True):
    """One encoded rendition of an image."""

    width: int
    format: str
    url: str
    bytes: int = 0


class ProductImage(msgspec.Struct, rename="camel", frozen=True):
    """An image of a product with its inline placeholder and its variants."""

    id: str
    width: int
    height: int
    placeholder: str = ""
    variants: list[Variant] = []
