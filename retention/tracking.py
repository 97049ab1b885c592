"""Tracking: shown/clicked events from the service worker, product views, and the funnel/ROI report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clock import iso, parse
from loyalty import store as loyalty_store

from . import audience_store, campaign_store
from .campaigns import HOLDOUT
from .models import EventBatch, EventResult, ReportRow
from .offers import OFFER_ID_PREFIX
from .receipts import receipt_ok
from .stats import significant_winner, two_proportion_p, wilson

MAX_VIEWS_PER_DAY = 500
"""Views counted per shopper per day: enough to tell an explorer, bounded against noisy clients."""


def record_events(db: Any, user_id: int | None, batch: EventBatch, now: datetime, receipt_key: bytes = b"") -> EventResult:
    """Record events: the shopper's own (``user_id``), or any message's with its valid receipt (from the
    service worker); events about other shoppers' messages, without receipt, and repeats are ignored."""
    recorded = ignored = 0
    views = 0
    per_product: dict[str, int] = {}
    for event in batch.events:
        if event.type == "product.viewed":
            if event.sku and user_id is not None:
                views += 1
                per_product[event.sku] = per_product.get(event.sku, 0) + 1
                recorded += 1
            else:
                ignored += 1
            continue
        message = campaign_store.get_message(db, event.message_id) if event.message_id is not None else None
        if message is None or not (message["user_id"] == user_id or receipt_ok(receipt_key, message["id"], event.receipt)):
            ignored += 1
            continue
        kind = "shown" if event.type == "notification.shown" else "clicked"
        new = campaign_store.record_event(db, message["id"], kind, iso(now))
        if kind == "clicked":
            # A click proves the notification was shown, even if the shown report got lost.
            campaign_store.record_event(db, message["id"], "shown", iso(now))
        recorded += int(new)
        ignored += int(not new)
    if views and user_id is not None:
        record_product_views(db, user_id, now.date().isoformat(), per_product)
    return EventResult(recorded=recorded, ignored=ignored)


def record_product_views(db: Any, user_id: int, day: str, per_product: dict[str, int]) -> None:
    """Count a shopper's product views on ``day`` (ISO date), per day and per product, each bounded by
    MAX_VIEWS_PER_DAY: the browse history segments and the browse-abandon trigger read (also fed by the
    recently-viewed sync mutation, recs/recent.py)."""
    if per_product:
        audience_store.add_views(db, user_id, day, sum(per_product.values()), MAX_VIEWS_PER_DAY)
        audience_store.add_product_views(db, user_id, day, per_product, MAX_VIEWS_PER_DAY)


def paid_revenue(db: Any) -> dict[tuple[int, str], tuple[int, int]]:
    """(campaign, variant) -> (revenue, discount) of paid or fulfilled orders that used a granted offer."""
    grants = campaign_store.redeemed_grants(db)
    orders: dict[tuple[int, int], list[dict]] = {}
    for offer_id in {g["offer_id"] for g in grants}:
        for order in loyalty_store.orders_with_offer(db, f"{OFFER_ID_PREFIX}{offer_id}"):
            if order["status"] in ("paid", "fulfilled"):
                orders.setdefault((order["user_id"], offer_id), []).append(order)
    totals: dict[tuple[int, str], tuple[int, int]] = {}
    for grant in grants:
        key = (grant["campaign_id"], grant["variant"])
        revenue, discount = totals.get(key, (0, 0))
        for order in orders.get((grant["user_id"], grant["offer_id"]), []):
            revenue, discount = revenue + order["total"], discount + order["discount"]
        totals[key] = (revenue, discount)
    return totals


ATTRIBUTION_DAYS = 7
"""A shopper converts when they pay an order within this many days after their message (or holdout assignment)."""


def conversions(db: Any) -> dict[tuple[int, str], tuple[int, int]]:
    """(campaign, arm) -> (shoppers with a paid order within the attribution window, those orders' revenue).

    The same measure for every arm, holdout included: the holdout got nothing to redeem, so coupon use cannot be
    compared with it, but "paid an order in the week after" can.
    """
    messages = campaign_store.campaign_messages(db)
    orders: dict[int, list[dict]] = {}
    for order in loyalty_store.paid_orders(db, sorted({m["user_id"] for m in messages})):
        orders.setdefault(order["user_id"], []).append(order)
    out: dict[tuple[int, str], tuple[int, int]] = {}
    window = timedelta(days=ATTRIBUTION_DAYS)
    for message in messages:
        start = message["created_at"]
        end = iso(parse(start) + window)
        paid = [o for o in orders.get(message["user_id"], []) if o["paid_at"] and start <= o["paid_at"] <= end]
        key = (message["campaign_id"], message["variant"])
        converted, revenue = out.get(key, (0, 0))
        out[key] = (converted + bool(paid), revenue + sum(o["total"] for o in paid))
    return out


def report(db: Any) -> list[ReportRow]:
    """Per campaign and arm (variants and holdout): sent, accepted, shown, clicked, redeemed, converted, revenue;
    conversion with its 95 % Wilson interval, the lift's p-value against the holdout (or the first variant), and
    the winner, named only when significant.

    Revenue counts paid or fulfilled orders in the attribution window; discount and ROI the offers' coupons.
    """
    money = paid_revenue(db)
    converted = conversions(db)
    campaigns = {c["id"]: c for c in campaign_store.list_campaigns(db)}
    by_campaign: dict[int, list[dict]] = {}
    for r in campaign_store.funnel(db):
        by_campaign.setdefault(r["campaign_id"], []).append(r)
    rows: list[ReportRow] = []
    for campaign_id, funnel_rows in by_campaign.items():
        counts = {r["variant"]: converted.get((campaign_id, r["variant"]), (0, 0)) for r in funnel_rows}
        arms = {r["variant"]: r for r in funnel_rows}
        order = [v["name"] for v in campaigns.get(campaign_id, {}).get("variants", [])]
        baseline = HOLDOUT if HOLDOUT in arms else next((name for name in order if name in arms), None)
        base = arms.get(baseline) if baseline else None
        p_values: dict[str, float | None] = {}
        for name, r in arms.items():
            if campaign_id == 0 or base is None or name == baseline:
                p_values[name] = None
            else:
                p_values[name] = two_proportion_p(counts[name][0], r["messages"], counts[baseline][0], base["messages"])
        winner = None
        if campaign_id != 0 and baseline is not None:
            winner = significant_winner(
                [(name, counts[name][0], r["messages"], p_values[name]) for name, r in arms.items()], baseline,
                baseline_can_win=baseline != HOLDOUT)
        for r in funnel_rows:
            name = r["variant"]
            hits, revenue = counts[name]
            _, discount = money.get((campaign_id, name), (0, 0))
            low, high = wilson(hits, r["messages"])
            p = p_values[name]
            rows.append(ReportRow(
                campaign_id=campaign_id, campaign=r["campaign"], variant=name, messages=r["messages"],
                sent=r["sent"] or 0, accepted=r["accepted"] or 0, shown=r["shown"] or 0, clicked=r["clicked"] or 0,
                redeemed=r["redeemed"] or 0, conversion=round(hits / r["messages"], 4) if r["messages"] else 0.0,
                revenue=revenue, discount=discount, roi=round(revenue / discount, 2) if discount else None,
                holdout=name == HOLDOUT, converted=hits, conversion_low=round(low, 4), conversion_high=round(high, 4),
                lift_p_value=None if p is None else round(p, 6), baseline=campaign_id != 0 and name == baseline,
                winner=winner is not None and name == winner,
            ))
    return rows


def format_report(rows: list[ReportRow]) -> str:
    """The report as a plain-text table for the CLI."""
    head = (f"{'campaign':<24} {'arm':<8} {'msgs':>6} {'sent':>6} {'acc':>6} {'shown':>6} {'click':>6} {'redeem':>6}"
            f" {'conv':>7} {'95% interval':>15} {'p':>7} {'revenue':>10} {'discount':>9} {'ROI':>6}")
    lines = [head, "-" * len(head)]
    for r in rows:
        roi = f"{r.roi:.2f}" if r.roi is not None else "-"
        p = f"{r.lift_p_value:.4f}" if r.lift_p_value is not None else ("base" if r.baseline else "-")
        arm = (r.variant or "-") + ("*" if r.winner else "")
        interval = f"{r.conversion_low:.1%}-{r.conversion_high:.1%}"
        lines.append(
            f"{r.campaign[:24]:<24} {arm:<8} {r.messages:>6} {r.sent:>6} {r.accepted:>6} {r.shown:>6} {r.clicked:>6}"
            f" {r.redeemed:>6} {r.conversion:>7.2%} {interval:>15} {p:>7} {r.revenue / 100:>10.2f}"
            f" {r.discount / 100:>9.2f} {roi:>6}"
        )
    lines.append("* winner: converts better than the baseline with p < 0.05 (two-proportion z-test)")
    return "\n".join(lines)
