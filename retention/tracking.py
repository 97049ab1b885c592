"""Tracking: shown/clicked events from the service worker, product views, and the funnel/ROI report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clock import iso
from loyalty import store as loyalty_store

from . import audience_store, campaign_store
from .models import EventBatch, EventResult, ReportRow
from .offers import OFFER_ID_PREFIX
from .receipts import receipt_ok

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
        audience_store.add_views(db, user_id, now.date().isoformat(), views, MAX_VIEWS_PER_DAY)
        audience_store.add_product_views(db, user_id, now.date().isoformat(), per_product, MAX_VIEWS_PER_DAY)
    return EventResult(recorded=recorded, ignored=ignored)


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


def report(db: Any) -> list[ReportRow]:
    """Funnel per campaign and variant: sent, accepted, shown, clicked, redeemed; conversion and ROI.

    Revenue and discount count paid or fulfilled orders only (a cancelled or refunded order earned nothing).
    """
    rows = []
    money = paid_revenue(db)
    for r in campaign_store.funnel(db):
        revenue, discount = money.get((r["campaign_id"], r["variant"]), (0, 0))
        rows.append(
            ReportRow(
                campaign_id=r["campaign_id"], campaign=r["campaign"], variant=r["variant"], messages=r["messages"],
                sent=r["sent"] or 0, accepted=r["accepted"] or 0, shown=r["shown"] or 0, clicked=r["clicked"] or 0,
                redeemed=r["redeemed"] or 0,
                conversion=round((r["redeemed"] or 0) / r["messages"], 4) if r["messages"] else 0.0,
                revenue=revenue, discount=discount,
                roi=round(revenue / discount, 2) if discount else None,
            )
        )
    return rows


def format_report(rows: list[ReportRow]) -> str:
    """The report as a plain-text table for the CLI."""
    head = f"{'campaign':<24} {'var':<6} {'msgs':>6} {'sent':>6} {'acc':>6} {'shown':>6} {'click':>6} {'redeem':>6} {'conv':>7} {'revenue':>10} {'discount':>9} {'ROI':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        roi = f"{r.roi:.2f}" if r.roi is not None else "-"
        lines.append(
            f"{r.campaign[:24]:<24} {r.variant or '-':<6} {r.messages:>6} {r.sent:>6} {r.accepted:>6} {r.shown:>6} {r.clicked:>6}"
            f" {r.redeemed:>6} {r.conversion:>7.2%} {r.revenue / 100:>10.2f} {r.discount / 100:>9.2f} {roi:>6}"
        )
    return "\n".join(lines)
