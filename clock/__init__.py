"""The project's one clock and timestamp format, below every room (it imports none, so any room may import it).

Instants are stored as fixed-width UTC ISO 8601 text (``2026-11-23T13:45:00.000000Z``), so SQL compares them
as text and text order is time order. Naive datetimes are taken as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
SECONDS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def utc(at: datetime) -> datetime:
    """The same instant with UTC tzinfo (naive values are taken as UTC)."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def iso(at: datetime) -> str:
    """The stored form of an instant."""
    return utc(at).strftime(ISO_FORMAT)


def now_iso() -> str:
    """The stored form of the current instant."""
    return iso(now())


def parse(text: str) -> datetime:
    """An aware datetime from ISO text: the stored form or any Z/offset (kept); no zone or a bare date is UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def from_ms(ms: int | float) -> datetime:
    """An aware UTC datetime from epoch milliseconds (the sync protocol's clocks)."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def iso_seconds(ts: int | float) -> str:
    """Unix seconds as the API shows them (whole seconds, ``Z``)."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime(SECONDS_FORMAT)
