"""Every text key the PWA's scripts ask for (`tr("...")`) is in the shop's table, in both languages."""

import re
from pathlib import Path

from server import i18n

PWA = Path(__file__).resolve().parents[2] / "pwa"
_TR = re.compile(r"""\btr\(\s*["']([a-z0-9_.-]+)["']""")
_WHAT = re.compile(r"""signInFirst\([^)]*["']([a-z0-9_.]+)["']\)""")


def test_every_key_the_pwa_uses_exists_in_both_languages():
    used = set()
    for path in PWA.glob("*.js"):
        source = path.read_text()
        used |= set(_TR.findall(source)) | set(_WHAT.findall(source))
    assert used, "the scan found no tr() calls"
    for locale in i18n.SUPPORTED:
        assert [] == sorted(key for key in used if f"shop.{key}" not in i18n.catalog(locale)), locale
