"""Shopper-facing text for the pages: prices from minor units, availability labels, category names."""

from __future__ import annotations

# ISO 4217 currencies whose minor unit is not 1/100 (the rest use two decimals).
_EXPONENTS = {"BIF": 0, "CLP": 0, "ISK": 0, "JPY": 0, "KRW": 0, "PYG": 0, "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0,
              "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "BRL": "R$", "NGN": "₦"}

AVAILABILITY_LABELS = {"in_stock": "In stock", "low_stock": "Only a few left", "out_of_stock": "Out of stock"}


def format_price(minor: int, currency: str) -> str:
    """A price for people: ``1290, "EUR"`` → ``€12.90``; unknown currencies keep their code (``12.90 CHF``)."""
    exponent = _EXPONENTS.get(currency, 2)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**exponent)
    amount = f"{whole:,}" + (f".{fraction:0{exponent}d}" if exponent else "")
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def availability_text(availability: str, stock: int) -> str:
    """The stock badge's words, with the count when it helps the shopper decide."""
    label = AVAILABILITY_LABELS.get(availability, availability)
    if availability == "low_stock":
        return f"{label} ({stock})"
    return label


def category_title(category: str) -> str:
    """``outdoor-gear`` → ``Outdoor gear``."""
    return category.replace("-", " ").capitalize()
