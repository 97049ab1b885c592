"""When a notification may go out: per-shopper frequency caps and quiet hours in the shopper's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
_EPSILON = timedelta(microseconds=1)


def in_quiet_hours(local: datetime, quiet: tuple[int, int]) -> bool:
    """True if the local wall-clock time falls in [start, end) (which may wrap past midnight)."""
    start, end = quiet
    hour = local.hour
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def after_quiet_hours(at: datetime, zone: str, quiet: tuple[int, int]) -> datetime:
    """``at`` itself when outside quiet hours, else the UTC instant they end for the shopper."""
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    if not in_quiet_hours(local, quiet):
        return at
    start, end = quiet
    day = local.date()
    if start > end and local.hour >= start:
        day = day + DAY
    end_local = datetime.combine(day, time(end), tzinfo=tz)
    # Normalise through UTC so a wall time that DST skipped lands on a real instant.
    return max(at, end_local.astimezone(timezone.utc))


def _violation(times: list[datetime], at: datetime, window: timedelta, cap: int) -> datetime | None:
    """The earliest message of a window containing ``at`` that is already full, or None."""
    starts = [at - window + _EPSILON, at] + [t for t in times if at - window < t <= at]
    for start in sorted(starts):
        inside = [t for t in times if start <= t < start + window]
        if len(inside) >= cap:
            return min(inside)
    return None


def cap_release(times: list[datetime], at: datetime, per_day: int, per_week: int) -> datetime:
    """The first instant from ``at`` on where one more message keeps every 24 h and 7 day window within caps."""
    for _ in range(10_000):
        moved = False
        for window, cap in ((DAY, per_day), (WEEK, per_week)):
            first = _violation(times, at, window, cap)
            if first is not None:
                at = first + window
                moved = True
        if not moved:
            return at
    raise RuntimeError("frequency cap search did not settle")


CAPS = "caps"
QUIET_HOURS = "quiet_hours"
"""Why a notification waits (``retention_messages.deferred_by``): /admin/push splits deferrals by it."""


def next_slot(
    at: datetime, zone: str, quiet: tuple[int, int], scheduled: list[datetime], per_day: int, per_week: int
) -> datetime:
    """The earliest instant from ``at`` that respects the caps and the shopper's quiet hours (deferred, never dropped)."""
    for _ in range(1000):
        capped = cap_release(scheduled, at, per_day, per_week)
        quiet_ok = after_quiet_hours(capped, zone, quiet)
        if quiet_ok == at:
            return at
        at = quiet_ok
    raise RuntimeError("schedule search did not settle")


def slot_and_cause(
    at: datetime, zone: str, quiet: tuple[int, int], scheduled: list[datetime], per_day: int, per_week: int
) -> tuple[datetime, str | None]:
    """``next_slot`` and why it is later than ``at``: CAPS when a frequency cap is already full at ``at``, else
    QUIET_HOURS (``at`` falls in the shopper's quiet hours); None when it may go at once.

    The cause is what stopped it going *now*; a capped message whose release lands in quiet hours counts as capped.
    """
    due = next_slot(at, zone, quiet, scheduled, per_day, per_week)
    if due == at:
        return due, None
    return due, CAPS if cap_release(scheduled, at, per_day, per_week) > at else QUIET_HOURS
