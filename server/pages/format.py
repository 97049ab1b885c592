"""Shopper-facing text for the pages in the reader's locale: availability labels, category names (prices:
catalog.money)."""

from __future__ import annotations

from server import i18n

AVAILABILITY = ("in_stock", "low_stock", "out_of_stock")


def text(locale: str, key: str, **params: object) -> str:
    """A shop text (``server/i18n/messages/shop.json``) in ``locale``."""
    return i18n.t(locale, "shop." + key, **params)


def availability_label(availability: str, locale: str = "en") -> str:
    """The stock badge's words without the count (an unknown state reads as itself)."""
    return text(locale, "stock." + availability) if availability in AVAILABILITY else availability


def availability_text(availability: str, stock: int, locale: str = "en") -> str:
    """The stock badge's words, with the count when it helps the shopper decide."""
    if availability == "low_stock":
        return text(locale, "stock.low_stock_count", stock=stock)
    return availability_label(availability, locale)


def category_title(category: str, locale: str = "en") -> str:
    """A category's name: the translated one when the shop has it, else ``outdoor-gear`` → ``Outdoor gear``."""
    key = "shop.category." + category
    if key in i18n.catalog(locale if locale in i18n.SUPPORTED else i18n.DEFAULT):
        return i18n.t(locale, key)
    return category.replace("-", " ").capitalize()
