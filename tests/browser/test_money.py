"""pwa/money.js and catalog/money.py format every price the same way (same exponents, same symbols)."""

from __future__ import annotations

import pytest

from catalog.money import EXPONENTS, LOCALE_SYMBOLS, SYMBOLS, format_price

pytestmark = pytest.mark.browser

# Every currency either table names, plus two-decimal ones neither does (the default exponent).
CURRENCIES = sorted(set(EXPONENTS) | set(SYMBOLS) | {"CNY", "CHF", "SEK"})
AMOUNTS = [0, 5, 99, 1290, 100_000, -1290, 123_456_789]


def test_the_pwa_uses_the_servers_exponent_and_symbol_tables(module_page):
    tables = module_page.evaluate(
        "async () => { const m = await lm.load('money'); return [m.EXPONENTS, m.SYMBOLS, m.LOCALE_SYMBOLS]; }"
    )
    assert [EXPONENTS, SYMBOLS, LOCALE_SYMBOLS] == tables


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
@pytest.mark.parametrize("currency", CURRENCIES)
def test_the_pwa_formats_a_price_like_the_server(module_page, currency, locale):
    pwa = module_page.evaluate(
        "async ([amounts, currency, locale]) => { const { money } = await lm.load('money');"
        " return amounts.map((a) => money(a, currency, locale)); }",
        [AMOUNTS, currency, locale],
    )
    assert [format_price(amount, currency, locale) for amount in AMOUNTS] == pwa


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(1290, "EUR", "€12.90"), (1290, "JPY", "¥1,290"), (1290, "CNY", "CN¥12.90"), (1234, "KWD", "1.234 KWD")],
)
def test_exponents_read_as_people_expect(module_page, minor, currency, text):
    assert text == format_price(minor, currency)
    assert text == module_page.evaluate("async ([m, c]) => (await lm.load('money')).money(m, c)", [minor, currency])
