"""Catalog wire Structs: compact, camelCase, shared by the API, the pages and the importer."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from media.models import ProductImage

Availability = Literal["in_stock", "low_stock", "out_of_stock"]
LOW_STOCK = 5

Sku = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="product id (SKU)")]
Category = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]
ImageName = Annotated[str, Meta(min_length=1, max_length=255)]


class Product(msgspec.Struct, rename="camel", frozen=True):
    """A product's detail, as the API and the product page show it."""

    id: str
    name: str
    description: str
    price: int
    currency: str
    category: str
    stock: int
    availability: Availability
    images: list[ProductImage]
    version: int
    updated_at: str


class ProductSummary(msgspec.Struct, rename="camel", frozen=True):
    """A product in a listing: no description, only the first image."""

    id: str
    name: str
    price: int
    currency: str
    category: str
    availability: Availability
    image: ProductImage | None = None


class ProductPage(msgspec.Struct, rename="camel", frozen=True):
    """One page of a listing; ``next_cursor`` is null on the last page."""

    items: list[ProductSummary]
    next_cursor: str | None = None


class ImportLine(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One line of a catalog import (operator input: unknown fields are refused)."""

    id: Sku
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    price: Annotated[int, Meta(ge=0, le=1_000_000_000)]
    currency: Currency
    category: Category
    stock: Annotated[int, Meta(ge=0, le=1_000_000)]
    description: Annotated[str, Meta(max_length=5000)] = ""
    images: Annotated[list[ImageName], Meta(max_length=12)] = []


def availability(stock: int) -> Availability:
    """What a shopper is told about stock (exact counts are shown too, but this drives the badge)."""
    if stock <= 0:
        return "out_of_stock"
    if stock <= LOW_STOCK:
        return "low_stock"
    return "in_stock"


SynonymTerm = Annotated[str, Meta(min_length=1, max_length=40)]
SynonymGroup = Annotated[list[SynonymTerm], Meta(min_length=2, max_length=12)]


class SynonymsInput(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The operators' whole synonym list: groups of single words that mean the same (replaces the list)."""

    groups: Annotated[list[SynonymGroup], Meta(max_length=500)]


class SynonymList(msgspec.Struct, rename="camel", frozen=True):
    """The built-in synonym groups (read only) and the operators' ones."""

    builtin: list[list[str]]
    groups: list[list[str]]


class SuggestedProduct(msgspec.Struct, rename="camel", frozen=True):
    """A product offered while the shopper types."""

    id: str
    name: str


class Suggestions(msgspec.Struct, rename="camel", frozen=True):
    """Completions of the text typed so far, and the best-matching products."""

    terms: list[str]
    products: list[SuggestedProduct]
