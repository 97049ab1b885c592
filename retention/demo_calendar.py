"""The demo's holiday calendar: 618, Double 11 and Spring Festival on their next dates (the `holiday` trigger's input)."""

from __future__ import annotations

from datetime import date
from typing import Any

from . import campaign_store

SPRING_FESTIVAL = tuple(date.fromisoformat(d) for d in (
    "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03", "2031-01-23", "2032-02-11",
    "2033-01-31", "2034-02-19", "2035-02-08",
))
"""Lunar new year's day: it moves with the moon, so the dates are listed, not computed (each confirmed against two
lunar-calendar libraries: tests/unit/test_demo_calendar.py says which)."""

FIXED = (("618", "618", 6, 18, 3), ("double11", "Double 11", 11, 11, 5))
"""(key, name, month, day, lead days) of the holidays with a fixed date; the keys match the template library's."""
SPRING_LEAD_DAYS = 7


def next_holidays(today: date) -> list[tuple[str, str, date, int]]:
    """(key, name, date, lead days) of each demo holiday on its next date from ``today`` on (today included)."""
    found = []
    for key, name, month, day, lead in FIXED:
        this_year = date(today.year, month, day)
        found.append((key, name, this_year if this_year >= today else date(today.year + 1, month, day), lead))
    spring = next((d for d in SPRING_FESTIVAL if d >= today), None)
    if spring is not None:  # past the table: the operator sets it
        found.append(("spring_festival", "Spring Festival", spring, SPRING_LEAD_DAYS))
    return sorted(found, key=lambda h: h[2])


def seed_holidays(db: Any, today: date) -> list[tuple[str, str, date, int]]:
    """Add the demo holidays the calendar lacks (an operator's own dates stay); those added."""
    return [h for h in next_holidays(today) if campaign_store.add_holiday(db, h[0], h[1], h[2].isoformat(), h[3])]
