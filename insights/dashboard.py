"""The dashboard's figures: daily series over 30/90 days, today, repurchase rate, monthly cohorts, points, segments.

Everything is read from the database (no in-process counters), so every server process shows the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from accounts import report_store as accounts_reports
from insights import store as insights_store
from loyalty import report_store as loyalty_reports
from retention import audience_store
from retention.models import SEGMENTS
from retention.tracking import report as campaign_report

COHORT_MONTHS = 6


@dataclass
class Dashboard:
    """What /admin shows: ``days`` labels and one list per series, plus today's figures and tables."""

    days: list[str]
    orders: list[int]
    revenue: list[int]
    aov: list[float]
    buyers: list[int]
    points_issued: list[int]
    points_redeemed: list[int]
    points_expired: list[int]
    repurchase_rate: float
    cohorts: list[tuple[str, int, list[float]]]  # (first-order month, shoppers, share active in month +0..+n)
    segments: dict[str, int]
    shoppers: int
    devices: int
    active: dict[str, tuple[int, int]]  # "1d"/"7d"/"30d" -> (shoppers, devices)
    funnel: dict[str, int] = field(default_factory=dict)
    revenue_from_push: int = 0
    discount_from_push: int = 0
    api_requests: list[int] = field(default_factory=list)
    api_error_percent: list[float] = field(default_factory=list)   # 5xx share of the day's requests
    api_latency_ms: list[float] = field(default_factory=list)      # mean time to answer
    sync_error_percent: list[float] = field(default_factory=list)  # mutations rejected for good, of those pushed
    active_shoppers: list[int] = field(default_factory=list)       # shoppers with a device used that day
    active_devices: list[int] = field(default_factory=list)        # devices used that day
    returning_percent: list[float] = field(default_factory=list)   # of the day's buyers, those who had ordered before


def day_labels(today: date, days: int) -> list[str]:
    """ISO dates of the last ``days`` days, oldest first, today last."""
    return [(today - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]


def fill(labels: list[str], values: dict[str, float]) -> list:
    """A value per label (0 where a day had nothing)."""
    return [values.get(day, 0) for day in labels]


def repurchase_rate(buyer_months: list[dict]) -> float:
    """Share of buyers in the window with two or more orders."""
    per_buyer: dict[int, int] = defaultdict(int)
    for row in buyer_months:
        per_buyer[row["user_id"]] += row["orders"]
    return sum(1 for n in per_buyer.values() if n >= 2) / len(per_buyer) if per_buyer else 0.0


def month_add(month: str, n: int) -> str:
    """``YYYY-MM`` plus n months."""
    y, m = int(month[:4]), int(month[5:7]) - 1 + n
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def cohorts(first_months: dict[int, str], buyer_months: list[dict], months: list[str]) -> list[tuple[str, int, list[float]]]:
    """For each cohort month (first order): its size and the share of it ordering again n months later."""
    active: dict[int, set[str]] = defaultdict(set)
    for row in buyer_months:
        active[row["user_id"]].add(row["month"])
    result = []
    for month in months:
        members = [u for u, first in first_months.items() if first == month]
        if not members:
            result.append((month, 0, []))
            continue
        shares = []
        for offset in range(len(months) - months.index(month)):
            target = month_add(month, offset)
            shares.append(sum(1 for u in members if target in active[u]) / len(members))
        result.append((month, len(members), shares))
    return result


def collect(database: Any, now: datetime, days: int) -> Dashboard:
    """Every figure of the dashboard for the last ``days`` days, in one read snapshot."""
    today = now.astimezone(timezone.utc).date()
    labels = day_labels(today, days)
    since = labels[0] + "T00:00:00Z"
    cohort_start = month_add(today.strftime("%Y-%m"), -(COHORT_MONTHS - 1))
    months = [month_add(cohort_start, i) for i in range(COHORT_MONTHS)]
    now_s = int(now.timestamp())
    with database.snapshot() as db:
        daily = {r["day"]: r for r in loyalty_reports.daily_orders(db, since)}
        window_buyers = loyalty_reports.buyer_months(db, since)
        day_buyers = loyalty_reports.buyer_days(db, since)
        first_days = loyalty_reports.first_order_days(db, sorted({r["user_id"] for r in day_buyers}))
        cohort_buyers = loyalty_reports.buyer_months(db, cohort_start + "-01T00:00:00Z")
        firsts = loyalty_reports.first_order_months(db, sorted({r["user_id"] for r in cohort_buyers}))
        points = loyalty_reports.daily_points(db, since)
        segments = audience_store.segment_counts(db)
        shoppers, devices = accounts_reports.shopper_total(db)
        active = {k: accounts_reports.active_counts(db, now_s - d * 86_400) for k, d in (("1d", 1), ("7d", 7), ("30d", 30))}
        funnel_rows = campaign_report(db)
        first_minute = int(datetime.fromisoformat(labels[0]).replace(tzinfo=timezone.utc).timestamp()) // 60
        request_rows = insights_store.request_days(db, first_minute)
        named_rows = insights_store.named_days(db, first_minute)
        active_rows = accounts_reports.daily_active(db, first_minute // 1440)
    orders = fill(labels, {d: r["orders"] for d, r in daily.items()})
    revenue = fill(labels, {d: r["revenue"] for d, r in daily.items()})
    paid = fill(labels, {d: r["paid"] for d, r in daily.items()})
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for row in points:
        by_kind[row["kind"]][row["day"]] = by_kind[row["kind"]].get(row["day"], 0) + row["points"]
    issued = [a + b for a, b in zip(fill(labels, by_kind["earn"]), fill(labels, by_kind["bonus"]))]
    funnel = {k: sum(getattr(r, k) for r in funnel_rows) for k in ("messages", "sent", "accepted", "shown", "clicked", "redeemed")}
    day_of = {int(datetime.fromisoformat(label).replace(tzinfo=timezone.utc).timestamp()) // 86_400: label
               for label in labels}
    traffic = {day_of[r["day"]]: r for r in request_rows if r["day"] in day_of}
    named: dict[str, dict[str, int]] = defaultdict(dict)
    for row in named_rows:
        if row["day"] in day_of:
            named[row["name"]][day_of[row["day"]]] = row["value"]
    requests = fill(labels, {d: r["requests"] for d, r in traffic.items()})
    errors = fill(labels, {d: r["errors"] for d, r in traffic.items()})
    latency = fill(labels, {d: r["latency_ms"] for d, r in traffic.items()})
    mutations, rejected = fill(labels, named["sync.mutations"]), fill(labels, named["sync.errors"])
    active_days = {day_of[r["day"]]: r for r in active_rows if r["day"] in day_of}
    buyers_on: dict[str, list[bool]] = defaultdict(list)
    for row in day_buyers:
        buyers_on[row["day"]].append(first_days.get(row["user_id"], row["day"]) < row["day"])
    return Dashboard(
        api_requests=requests,
        api_error_percent=[round(100 * e / n, 3) if n else 0.0 for e, n in zip(errors, requests)],
        api_latency_ms=[round(ms / n, 2) if n else 0.0 for ms, n in zip(latency, requests)],
        sync_error_percent=[round(100 * e / n, 3) if n else 0.0 for e, n in zip(rejected, mutations)],
        active_shoppers=fill(labels, {d: r["shoppers"] for d, r in active_days.items()}),
        active_devices=fill(labels, {d: r["devices"] for d, r in active_days.items()}),
        returning_percent=fill(labels, {d: round(100 * sum(v) / len(v), 1) for d, v in buyers_on.items()}),
        days=labels, orders=orders, revenue=revenue,
        aov=[r / p if p else 0 for r, p in zip(revenue, paid)],
        buyers=fill(labels, {d: r["buyers"] for d, r in daily.items()}),
        points_issued=issued,
        points_redeemed=[-v for v in fill(labels, by_kind["spend"])],
        points_expired=[-v for v in fill(labels, by_kind["expire"])],
        repurchase_rate=repurchase_rate(window_buyers),
        cohorts=cohorts(firsts, cohort_buyers, months),
        segments={s: segments.get(s, 0) for s in SEGMENTS},
        shoppers=shoppers, devices=devices, active=active, funnel=funnel,
        revenue_from_push=sum(r.revenue for r in funnel_rows), discount_from_push=sum(r.discount for r in funnel_rows),
    )
