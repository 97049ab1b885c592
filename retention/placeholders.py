"""Placeholder values in the language of the message they fill: ``{holiday}`` (holiday_names.py) and ``{offer}``.

The planner fills a message's context once; each message's template has a locale (templates.choose), and the values
that are sentences rather than data are made again in that locale here, just before rendering.
"""

from __future__ import annotations

from typing import Mapping

from .holiday_names import HolidayNames, holiday_name
from .template_library import OFFER_SENTENCES


def offer_sentence(locale: str, *, title: str, code: str, discount: str) -> str:
    """``{offer}``: the offer's title, its code and what it saves, in ``locale`` (English for another locale)."""
    return OFFER_SENTENCES.get(locale, OFFER_SENTENCES["en"]).format(title=title, code=code, discount=discount)


def localised(context: Mapping[str, object], locale: str, names: HolidayNames | None) -> Mapping[str, object]:
    """A message's placeholder values with ``{holiday}`` and ``{offer}`` in the message's language."""
    values = dict(context)
    key, stored = context.get("holiday_key"), context.get("holiday")
    if isinstance(key, str) and isinstance(stored, str):
        values["holiday"] = holiday_name(names, locale, key, stored)
    title, code, discount = (context.get(k) for k in ("offer_title", "code", "discount"))
    if isinstance(title, str) and isinstance(code, str) and isinstance(discount, str):
        values["offer"] = offer_sentence(locale, title=title, code=code, discount=discount)
    return values
