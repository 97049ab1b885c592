"""Every text key the PWA's scripts ask for (`tr("...")`, `text("area.key")`, `say("area.key")`) exists, in both
languages."""

import re
from pathlib import Path

from server import i18n
from server.pages.assets import PWA_TEXT_AREAS

PWA = Path(__file__).resolve().parents[2] / "pwa"
_TR = re.compile(r"""\btr\(\s*["']([a-z0-9_.-]+)["']""")
_WHAT = re.compile(r"""signInFirst\([^)]*["']([a-z0-9_.]+)["']\)""")
_TEXT = re.compile(r"""\b(?:text|say)\(\s*["']([a-z0-9_.-]+)["']""")  # area-qualified keys (pwa/i18n.js text(), say())


def test_every_key_the_pwa_uses_exists_in_both_languages():
    used = set()
    for path in PWA.glob("*.js"):
        source = path.read_text()
        used |= set(_TR.findall(source)) | set(_WHAT.findall(source))
    assert used, "the scan found no tr() calls"
    for locale in i18n.SUPPORTED:
        assert [] == sorted(key for key in used if f"shop.{key}" not in i18n.catalog(locale)), locale


def test_every_area_key_the_pwa_uses_exists_in_both_languages_and_reaches_the_page():
    used = {key for path in PWA.glob("*.js") for key in _TEXT.findall(path.read_text())}
    assert {"checkout.place", "checkout.offline", "reviews.title"} <= used, "the scan found no text()/say() calls"
    for locale in i18n.SUPPORTED:
        assert [] == sorted(key for key in used if key not in i18n.catalog(locale)), locale
        assert [] == sorted(key for key in used if not key.startswith(PWA_TEXT_AREAS)), locale


def test_every_badge_has_a_name_in_both_languages():
    # pwa/loyalty.js and pwa/badges.js build the key from the badge's id (`perks.badge.${id}`), out of the scan's sight.
    from loyalty.badges import BADGES

    for locale in i18n.SUPPORTED:
        assert [] == [b for b in BADGES if f"perks.badge.{b}" not in i18n.catalog(locale)], locale
