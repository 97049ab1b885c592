"""Texts people read, in every supported locale: message tables per area, locale negotiation, lookup.

Each area (the shop, the console, ...) keeps its texts in ``messages/<area>.json`` as
``{"key": {"en": "...", "zh-CN": "..."}}``: both languages side by side, so a missing translation is
visible in review and caught by tests/unit/test_i18n.py. Placeholders use ``str.format`` names.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SUPPORTED = ("en", "zh-CN")
DEFAULT = "en"
MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
MAX_ACCEPT_LANGUAGE = 512  # a longer header is read only this far


class MissingText(KeyError):
    """A key that no message table holds (a bug: tests catch it before a shopper does)."""


def normalise(tag: str | None) -> str | None:
    """The supported locale a language tag means (``zh``, ``zh-Hans``, ``zh_CN`` -> ``zh-CN``), else None."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if tag == "en" or tag.startswith("en-"):
        return "en"
    if tag == "zh" or tag.startswith(("zh-cn", "zh-hans", "zh-sg")):
        return "zh-CN"
    return None


def negotiate(accept_language: str | None, preferred: str | None = None) -> str:
    """The shopper's synced preference when supported, else the best ``Accept-Language`` match, else English."""
    chosen = normalise(preferred)
    if chosen:
        return chosen
    best, best_q = DEFAULT, -1.0
    for part in (accept_language or "")[:MAX_ACCEPT_LANGUAGE].split(","):
        tag, _, params = part.partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                continue
        locale = normalise(tag)
        # Earlier entries win ties: the header lists the shopper's order of preference.
        if locale and q > 0 and q > best_q:
            best, best_q = locale, q
    return best


@lru_cache(maxsize=1)
def tables() -> dict[str, dict[str, dict[str, str]]]:
    """Every area's table, read once: {area: {key: {locale: text}}}."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(MESSAGES_DIR.glob("*.json"))}


@lru_cache(maxsize=4)
def catalog(locale: str) -> dict[str, str]:
    """Every text of one locale, keyed ``area.key`` (what a page inlines for its scripts)."""
    return {f"{area}.{key}": texts[locale] for area, table in tables().items() for key, texts in table.items()}


def t(locale: str, key: str, **params: object) -> str:
    """The text of ``area.key`` in ``locale`` (English for an unsupported one), with its placeholders filled."""
    texts = catalog(locale if locale in SUPPORTED else DEFAULT)
    try:
        text = texts[key]
    except KeyError:
        raise MissingText(key) from None
    return text.format(**params) if params else text
