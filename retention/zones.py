"""The shopper's time zone: an IANA name as the browser's Intl reports it, checked against the zones zoneinfo knows."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import BadTimeZone

MAX_ZONE = 64
# Files in the zone database that are not places: the server's own zone, and tzdata's placeholders.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name (and its backward-compatible links) a shopper can be in; read once per process."""
    return frozenset(z for z in available_timezones() if z not in NOT_PLACES and not z.startswith(("posix/", "right/")))


def check_time_zone(name: str) -> str:
    """``name`` if it is a known IANA time zone; BadTimeZone otherwise (the value is never echoed: it is personal)."""
    if not name or len(name) > MAX_ZONE or not all(c.isascii() and (c.isalnum() or c in "/_-+") for c in name):
        raise BadTimeZone("timeZone must be an IANA time zone name such as Europe/Berlin")
    if name not in known_zones():
        raise BadTimeZone("timeZone is not a known time zone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadTimeZone("timeZone is not a known time zone") from None
    return name
