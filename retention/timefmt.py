"""Timestamps as fixed-width UTC ISO strings, so SQL compares them as text."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(at: datetime) -> str:
    """`2026-11-23T13:45:00.000000Z` for an aware datetime."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(text: str) -> datetime:
    """An aware UTC datetime from ISO text (with Z or an offset; a bare date is midnight UTC)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def from_ms(ms: int) -> datetime:
    """An aware UTC datetime from epoch milliseconds (the sync protocol's clocks)."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
