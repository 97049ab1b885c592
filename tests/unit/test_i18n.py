"""Message tables hold every text in every locale; negotiation picks what the shopper asked for."""

import re
from pathlib import Path

import pytest

from server import i18n


@pytest.mark.parametrize("area", sorted(i18n.tables()))
def test_every_text_exists_in_every_locale_with_the_same_placeholders(area):
    for key, texts in i18n.tables()[area].items():
        assert set(i18n.SUPPORTED) == set(texts), f"{area}.{key}"
        placeholders = {locale: set(re.findall(r"{(\w*)}", text)) for locale, text in texts.items()}
        assert placeholders["en"] == placeholders["zh-CN"], f"{area}.{key}"
        assert all(text.strip() for text in texts.values()), f"{area}.{key}"


@pytest.mark.parametrize(
    "header, preferred, expected",
    [
        (None, None, "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh-CN"),
        ("zh-Hans-CN", None, "zh-CN"),
        ("en-GB,zh;q=0.5", None, "en"),
        ("fr-FR,zh;q=0.4,en;q=0.3", None, "zh-CN"),
        ("fr-FR", None, "en"),
        ("zh-CN;q=0", None, "en"),
        ("zh;q=bogus,en", None, "en"),
        ("en", "zh-CN", "zh-CN"),
        ("zh-CN", "en", "en"),
        ("zh-CN", "klingon", "zh-CN"),
        ("x" * 10_000, None, "en"),
    ],
)
def test_negotiation(header, preferred, expected):
    assert expected == i18n.negotiate(header, preferred)


def test_lookup_fills_placeholders_and_a_missing_key_is_an_error():
    assert "语言" == i18n.t("zh-CN", "common.language")
    assert "Language" == i18n.t("de", "common.language")
    with pytest.raises(i18n.MissingText):
        i18n.t("en", "common.no-such-text")


def test_every_campaign_refusal_code_has_a_console_text():
    """The console shows a refused campaign's reason by its code (server/pages/admin/campaigns.py)."""
    retention = Path(__file__).resolve().parents[2] / "retention"
    sources = "".join(p.read_text(encoding="utf-8") for p in retention.glob("*.py"))
    codes = set(re.findall(r'BadCampaign\(\s*"([a-z-]+)"', sources))
    assert {"offer-needed", "one-arm", "holiday-off-trigger", "bad-conditions"} <= codes
    assert [] == sorted(c for c in codes if f"console.campaigns.refused.{c}" not in i18n.catalog("en"))


def test_the_demo_calendars_holidays_are_named_as_the_shop_knows_them():
    """seed-demo stores the English name; the shoppers' messages and the console translate a holiday stored so
    (retention/holiday_names.py), so each demo name must be its text in messages/holidays.json."""
    from datetime import date

    from retention.demo_calendar import next_holidays

    seeded = {key: name for key, name, _day, _lead in next_holidays(date(2026, 1, 1))}
    assert {"618", "double11", "spring_festival"} == set(seeded)
    assert seeded == {key: i18n.t("en", f"holidays.{key}") for key in seeded}
    assert "春节" == i18n.t("zh-CN", "holidays.spring_festival")


def test_every_reward_refusal_code_has_a_console_text():
    """The console's rewards page shows a refused reward's reason by its code (server/pages/admin/rewards.py)."""
    from loyalty.errors import DuplicateReward, UnknownReward

    loyalty = Path(__file__).resolve().parents[2] / "loyalty"
    sources = "".join(p.read_text(encoding="utf-8") for p in loyalty.glob("*.py"))
    codes = set(re.findall(r'BadReward\(\s*"([a-z-]+)"', sources)) | {DuplicateReward.code, UnknownReward.code}
    assert {"coupon-needs-value", "product-needs-sku", "unknown-product", "gold-above-points"} <= codes
    assert [] == sorted(c for c in codes if f"console.rewards.refused.{c}" not in i18n.catalog("en"))
    assert all(f"console.rewards.refused.{c}" in i18n.catalog("zh-CN") for c in codes)
