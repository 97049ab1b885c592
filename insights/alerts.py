"""Anomaly alerts: API errors above 0.5 % over 5 minutes, push failures or 410s spiking, orders far below last week.

Rules are plain functions of counts (tested without a database); ``evaluate`` reads the counts in one snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from clock import iso
from insights import store
from loyalty import report_store as loyalty_reports
from retention import report_store as retention_reports

API_ERROR_RATE = 0.005      # 0.5 % of requests answered 5xx ...
API_WINDOW_MINUTES = 5      # ... over the last 5 minutes
API_MIN_REQUESTS = 50       # fewer requests than this are too few to call a rate
PUSH_WINDOW = timedelta(hours=1)
PUSH_BASELINE = timedelta(days=1)
PUSH_MIN_SENDS = 20
PUSH_SPIKE_FACTOR = 3.0     # failure share three times the day's ...
PUSH_FLOOR = 0.10           # ... and at least 10 % of the hour's sends
ORDERS_DROP_SHARE = 0.5     # fewer than half of the same hour last week ...
ORDERS_MIN_LAST_WEEK = 10   # ... when that hour had enough orders to compare with
NAMES = ("api_errors", "push_failures", "orders_drop")


@dataclass(frozen=True)
class Alert:
    """One rule's verdict: ``on`` with the figures that tripped it (``params`` fill the console's text)."""

    name: str
    on: bool
    params: dict = field(default_factory=dict)

    def detail(self) -> str:
        """The figures as ``k=v`` pairs (webhook and audit text; no personal data in them)."""
        return ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))


def api_errors(requests: int, errors: int) -> Alert:
    """On when more than 0.5 % of at least API_MIN_REQUESTS requests in the window failed with a 5xx."""
    rate = errors / requests if requests else 0.0
    return Alert("api_errors", requests >= API_MIN_REQUESTS and rate > API_ERROR_RATE,
                 {"requests": requests, "errors": errors, "percent": round(rate * 100, 2)})


def _failures(states: dict[str, int]) -> tuple[int, int]:
    sends = sum(states.values())
    return sends, states.get("gone", 0) + states.get("failed", 0) + states.get("rejected", 0)


def push_failures(hour: dict[str, int], day: dict[str, int]) -> Alert:
    """On when the last hour's failed/410 share is three times the day's and at least 10 % of enough sends."""
    sends, failed = _failures(hour)
    day_sends, day_failed = _failures(day)
    share = failed / sends if sends else 0.0
    baseline = day_failed / day_sends if day_sends else 0.0
    on = sends >= PUSH_MIN_SENDS and share >= PUSH_FLOOR and share >= PUSH_SPIKE_FACTOR * baseline
    return Alert("push_failures", on, {"sends": sends, "failed": failed, "percent": round(share * 100, 1),
                                       "baselinePercent": round(baseline * 100, 1)})


def orders_drop(this_hour: int, last_week: int) -> Alert:
    """On when the last full hour had under half the orders of the same hour a week before (given enough then)."""
    on = last_week >= ORDERS_MIN_LAST_WEEK and this_hour < ORDERS_DROP_SHARE * last_week
    return Alert("orders_drop", on, {"orders": this_hour, "lastWeek": last_week})


def evaluate(database: Any, now: datetime) -> list[Alert]:
    """Every rule against the shared tables as of ``now`` (one read snapshot)."""
    now = now.astimezone(timezone.utc)
    minute = int(now.timestamp()) // 60
    hour_end = now.replace(minute=0, second=0, microsecond=0)
    hour_start = hour_end - timedelta(hours=1)
    week = timedelta(days=7)
    with database.snapshot() as db:
        # The current minute is still filling: the window is the last five whole minutes.
        requests = store.request_totals(db, minute - API_WINDOW_MINUTES, minute)
        hour = retention_reports.sends_between(db, iso(now - PUSH_WINDOW), iso(now))
        day = retention_reports.sends_between(db, iso(now - PUSH_BASELINE), iso(now))
        orders_now = loyalty_reports.orders_between(db, iso(hour_start), iso(hour_end))
        orders_then = loyalty_reports.orders_between(db, iso(hour_start - week), iso(hour_end - week))
    return [api_errors(requests["requests"], requests["errors"]), push_failures(hour, day),
            orders_drop(orders_now, orders_then)]


def record(database: Any, alerts: list[Alert], now: datetime) -> list[Alert]:
    """Store each alert's state; the alerts whose state this call changed (what a webhook should hear once)."""
    changed = []
    with database.write() as db:
        for alert in alerts:
            flipped = (store.raise_alert(db, alert.name, alert.detail(), iso(now)) if alert.on
                       else store.clear_alert(db, alert.name, iso(now)))
            if flipped:
                changed.append(alert)
    return changed
