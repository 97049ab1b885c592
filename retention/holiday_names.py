"""A holiday's name in the language of the message that names it.

The calendar stores one name per holiday. For the holidays the shop knows (618, Double 11, Spring Festival,
Mid-Autumn, Black Friday) stored under their English name, as seed-demo stores them, a message in another language
names them in that language (春节, 双十一); a name the operator typed is theirs and stays as written. The names come
from the caller (server/wiring.py hands in the i18n lookup, messages/holidays.json), so the room holds no copy.
"""

from __future__ import annotations

from typing import Callable

HolidayNames = Callable[[str, str], str | None]
"""names(locale, key) -> the name of the holiday ``key`` in ``locale``, or None when the shop does not know that
holiday (or that locale)."""


def holiday_name(names: HolidayNames | None, locale: str, key: str, stored: str) -> str:
    """What a message in ``locale`` calls the holiday ``key`` whose calendar name is ``stored``."""
    if names is None or names("en", key) != stored:
        return stored  # an operator's own name (or a holiday the shop does not know): as written
    return names(locale, key) or stored

