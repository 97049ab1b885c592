"""Who a campaign reaches: its rules checked against the stored customer model, and the audience-size preview
operators read before they activate a campaign."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from . import audience_store
from .errors import BadCampaign
from .models import SEGMENTS, AudiencePreview, AudienceQuery, HolidayIn, SegmentSummary
from .rules import Condition, check, matches

PAGE = 1000
SAMPLE = 10


def conditions_of(raw: dict | None) -> Condition | None:
    """A campaign's conditions as a checked tree (BadCampaign naming the bad node otherwise)."""
    if raw is None:
        return None
    try:
        tree = msgspec.convert(raw, Condition)
    except msgspec.ValidationError as exc:
        raise BadCampaign("bad-conditions", f"conditions: {exc}", path="conditions") from None
    return check(tree)


def in_audience(segment: str | None, tree: Condition | None, attributes: dict[str, Any]) -> bool:
    """Whether a shopper with these attributes is in an audience (a segment, if named, and the rules)."""
    return (segment is None or attributes.get("segment") == segment) and matches(tree, attributes)


def preview(db: Any, query: AudienceQuery) -> AudiencePreview:
    """How many scored shoppers the audience holds now (as of the last `lastmile retention run`)."""
    tree = conditions_of(query.conditions)
    total = matched = 0
    sample: list[int] = []
    after = 0
    while True:
        page = audience_store.customer_attributes(db, after, PAGE)
        if not page:
            break
        for user_id, text in page:
            total += 1
            if in_audience(query.segment, tree, msgspec.json.decode(text)):
                matched += 1
                if len(sample) < SAMPLE:
                    sample.append(user_id)
        after = page[-1][0]
    return AudiencePreview(shoppers=matched, of=total, share=round(matched / total, 4) if total else 0.0,
                           sample_user_ids=sample)


def segment_summaries(db: Any) -> list[SegmentSummary]:
    """The programme's segment table: per segment its share of scored shoppers, repurchase rate (of its buyers,
    the share who bought twice or more) and AOV (its revenue per order)."""
    rows = {r["segment"]: r for r in audience_store.segment_summary(db)}
    total = sum(r["shoppers"] for r in rows.values())
    out = []
    for segment in SEGMENTS:
        r = rows.get(segment, {"shoppers": 0, "buyers": 0, "repeat_buyers": 0, "orders": 0, "revenue": 0})
        out.append(SegmentSummary(
            segment=segment, shoppers=r["shoppers"], share=round(r["shoppers"] / total, 4) if total else 0.0,
            repurchase_rate=round((r["repeat_buyers"] or 0) / r["buyers"], 4) if r["buyers"] else 0.0,
            aov=(r["revenue"] or 0) // r["orders"] if r["orders"] else 0))
    return out


def check_holiday(data: HolidayIn) -> HolidayIn:
    """The holiday if its date is a real calendar date."""
    try:
        date.fromisoformat(data.date)
    except ValueError:
        raise BadCampaign("bad-holiday-date", f"date {data.date!r} is not a calendar date (YYYY-MM-DD)",
                          date=data.date) from None
    return data
