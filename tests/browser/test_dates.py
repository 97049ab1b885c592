"""pwa/i18n.js writes dates in the page's language, whatever the browser's own locale (an order's timeline, a
refund's deadline)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page_lang, day, moment", [
    ("en", "6/10/2026", "Jun 10, 2026, 2:30 PM"),
    ("zh-CN", "2026/6/10", "2026年6月10日 14:30"),
])
def test_day_and_moment_follow_the_pages_language(module_page, page_lang, day, moment):
    written = module_page.evaluate("""async (lang) => {
      document.documentElement.lang = lang;
      const i18n = await lm.load("i18n");
      const at = new Date(2026, 5, 10, 14, 30).toISOString();  // local time: the browser writes local time
      return [i18n.day(at), i18n.moment(at), i18n.moment(null)];
    }""", page_lang)
    assert [day, moment, ""] == [" ".join(w.split()) for w in written]  # ICU may put a narrow space before PM
