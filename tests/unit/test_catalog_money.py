"""catalog.money: the number by each currency's exponent, and the price with its symbol or code."""

import pytest

from catalog.money import format_amount, format_price


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (1290, "EUR", "12.90"),
        (1290, "JPY", "1,290"),
        (1290, "KWD", "1.290"),
        (123456700, "USD", "1,234,567.00"),
        (1000, None, "10.00"),
        (-5, "EUR", "-0.05"),
    ],
)
def test_amounts_follow_the_currency_exponent(minor, currency, expected):
    assert expected == format_amount(minor, currency)


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [(-1290, "EUR", "-€12.90"), (-1290, "CHF", "-12.90 CHF"), (0, "JPY", "¥0")],
)
def test_negative_and_zero_prices(minor, currency, expected):
    assert expected == format_price(minor, currency)


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [(1290, "CNY", "zh-CN", "¥12.90"), (1290, "CNY", "en", "CN¥12.90"), (1290, "JPY", "zh-CN", "JP¥1,290"),
     (1290, "JPY", "en", "¥1,290"), (1290, "USD", "zh-CN", "US$12.90"), (-1290, "EUR", "zh-CN", "-€12.90")],
)
def test_the_symbol_reads_as_the_locale_reads_it(minor, currency, locale, expected):
    assert expected == format_price(minor, currency, locale)
