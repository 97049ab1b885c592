"""Wire Structs of reviews (camelCase): what a shopper writes, and the pages the product page loads."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

MAX_TEXT = 2_000
MAX_NAME = 40


class ReviewInput(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A shopper's review of a product they received: a rating 1-5 and a text; a display name if they want one."""

    rating: Annotated[int, Meta(ge=1, le=5)]
    text: Annotated[str, Meta(min_length=1, max_length=MAX_TEXT)]
    display_name: Annotated[str, Meta(min_length=1, max_length=MAX_NAME)] | None = None


class Review(msgspec.Struct, rename="camel", frozen=True):
    """A review as everyone sees it: never the reviewer's email or id, only the name they chose (or none)."""

    id: int
    rating: int
    text: str
    display_name: str | None
    created_at: str
    updated_at: str


class ReviewPage(msgspec.Struct, rename="camel", frozen=True):
    """A product's rating and a page of its reviews, newest first; ``next_cursor`` continues."""

    sku: str
    count: int
    average: float | None
    """The mean rating to one decimal (None before the first review)."""
    items: list[Review]
    next_cursor: str | None = None


class MyReview(msgspec.Struct, rename="camel", frozen=True):
    """What the product page offers the signed-in shopper: whether they may review it (it was delivered to them)
    and the review they wrote already, to rewrite."""

    reviewable: bool
    review: Review | None = None


class ReviewResult(msgspec.Struct, rename="camel", frozen=True):
    """What writing a review did: the review, whether it was new, and the growth it earned (first time only)."""

    review: Review
    created: bool
    growth_added: int
