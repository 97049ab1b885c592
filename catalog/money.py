"""Prices for people, from integer minor units: the Python side's one money formatter (pwa/money.js mirrors it).

Pages, notifications and error texts all format through here, so a price reads the same everywhere and every
currency gets its ISO 4217 exponent (``¥1,290``, not ``12.90 JPY``). The symbol depends on the reader's locale
the way CLDR has it: a yuan price reads ``¥12.90`` in zh-CN and ``CN¥12.90`` in English, where ``¥`` means yen.
"""

from __future__ import annotations

# ISO 4217 currencies whose minor unit is not 1/100 (the rest use two decimals).
EXPONENTS = {"BIF": 0, "CLP": 0, "ISK": 0, "JPY": 0, "KRW": 0, "PYG": 0, "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0,
             "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3}
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "BRL": "R$", "NGN": "₦",
           "CNY": "CN¥"}
# Where a locale reads a symbol differently from English (CLDR): in zh-CN, ¥ is the yuan.
LOCALE_SYMBOLS = {"zh-CN": {"CNY": "¥", "JPY": "JP¥", "USD": "US$"}}


def format_amount(minor: int, currency: str | None = None) -> str:
    """The number alone: ``1290, "EUR"`` → ``12.90``, ``1290, "JPY"`` → ``1,290`` (no currency: two decimals)."""
    exponent = EXPONENTS.get(currency, 2) if currency else 2
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**exponent)
    return sign + f"{whole:,}" + (f".{fraction:0{exponent}d}" if exponent else "")


def format_price(minor: int, currency: str, locale: str = "en") -> str:
    """A price: ``1290, "EUR"`` → ``€12.90``; currencies without a symbol keep their code (``12.90 CHF``)."""
    amount = format_amount(abs(minor), currency)
    sign = "-" if minor < 0 else ""
    symbol = LOCALE_SYMBOLS.get(locale, {}).get(currency) or SYMBOLS.get(currency)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"
