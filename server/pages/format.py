"""Shopper-facing text for the pages: availability labels, category names (prices: catalog.money)."""

from __future__ import annotations

AVAILABILITY_LABELS = {"in_stock": "In stock", "low_stock": "Only a few left", "out_of_stock": "Out of stock"}


def availability_text(availability: str, stock: int) -> str:
    """The stock badge's words, with the count when it helps the shopper decide."""
    label = AVAILABILITY_LABELS.get(availability, availability)
    if availability == "low_stock":
        return f"{label} ({stock})"
    return label


def category_title(category: str) -> str:
    """``outdoor-gear`` → ``Outdoor gear``."""
    return category.replace("-", " ").capitalize()
