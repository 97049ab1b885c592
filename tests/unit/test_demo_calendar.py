"""The demo calendar's Spring Festival table (retention/demo_calendar.py) against the real lunar calendar.

Every date of the table, 2025-01-29 to 2035-02-08, was checked on 2026-12-02 against two independent Chinese calendar
libraries from PyPI, both agreeing with the table on all eleven years (none was wrong):
- lunardate 0.3.0 (lidaobing/python-lunardate): ``LunarDate(year, 1, 1).to_solar_date()``;
- lunar-python 1.4.8 (6tail/lunar-python): ``Lunar.fromYmd(year, 1, 1).getSolar()``.
Neither is a dependency: for eleven fixed dates that change only when the table is extended, a library (lunardate is
GPL-3.0) kept in the dev extras for one test is not worth it. So the confirmed dates are pinned here: a table edited or
extended without the same check fails below. To extend it, run the two calls above in a scratch venv for the new years,
add them to the table and to CONFIRMED, and update the versions and date in this docstring.
"""

from __future__ import annotations

from datetime import date

from retention.demo_calendar import SPRING_FESTIVAL

CONFIRMED = {2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
             2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8)}
"""Lunar new year's day per year, as both libraries gave it."""

LUNAR_YEAR_DAYS = {353, 354, 355, 383, 384, 385}
"""How long a Chinese calendar year can be: twelve months of 29 or 30 days, or thirteen in a leap-month year."""


def test_every_spring_festival_of_the_table_is_the_confirmed_lunar_new_year():
    assert CONFIRMED == {d.year: (d.month, d.day) for d in SPRING_FESTIVAL}
    assert len(CONFIRMED) == len(SPRING_FESTIVAL)  # one date a year, none twice


def test_the_table_has_the_shape_of_the_lunar_calendar():
    # Lunar new year falls between 21 January and 20 February, and one lies a lunar year after the other.
    assert all(date(d.year, 1, 21) <= d <= date(d.year, 2, 20) for d in SPRING_FESTIVAL)
    assert [y - SPRING_FESTIVAL[0].year for y in (d.year for d in SPRING_FESTIVAL)] == list(range(len(SPRING_FESTIVAL)))
    assert all((b - a).days in LUNAR_YEAR_DAYS for a, b in zip(SPRING_FESTIVAL, SPRING_FESTIVAL[1:]))
