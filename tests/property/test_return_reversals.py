"""Returns of some lines, then the refund of the rest: whatever the shares and what was spent, no lot goes below
zero and the order's points are taken back exactly once (taken + written off = what it earned)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty import rules

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
ORDER = 1


def lots_from(entries: list[rules.Entry]) -> dict[int, rules.Lot]:
    return rules.build_lots(entries)


def apply(entries: list[rules.Entry], debits: list[rules.Debit]) -> None:
    for d in debits:
        if d.points:
            entries.append(rules.Entry(len(entries) + 1, d.kind, -d.points, d.lot_id, NOW, order_id=ORDER))


@settings(max_examples=200, deadline=None)
@given(
    earned=st.integers(1, 5_000),
    bonus=st.sampled_from([0, 1_000]),
    others=st.lists(st.integers(1, 3_000), max_size=3),
    spent_share=st.integers(0, 100),
    returns=st.lists(st.integers(1, 100), max_size=4),
    refund_rest=st.booleans(),
)
def test_partial_reversals_and_the_refund_never_take_twice(earned, bonus, others, spent_share, returns, refund_rest):
    start = NOW - timedelta(days=30)
    entries: list[rules.Entry] = []

    def lot(kind: str, points: int, order_id: int | None) -> None:
        i = len(entries) + 1
        entries.append(rules.Entry(i, kind, points, i, start, start, start + timedelta(days=365), order_id))

    lot("earn", earned, ORDER)
    if bonus:
        lot("bonus", bonus, ORDER)
    for points in others:
        lot("earn", points, 99)
    spent = (earned + bonus) * spent_share // 100  # spent from the order's lots, oldest first
    apply(entries, rules.plan_spend([l for l in lots_from(entries).values() if l.order_id == ORDER], spent, NOW)
          if spent else [])

    left_pct = 100
    for pct in returns:  # each return takes a share of what remains of the order
        pct = min(pct, left_pct)
        if not pct:
            break
        left_pct -= pct
        clawed = -sum(e.points for e in entries if e.kind == "clawback")
        points = earned * pct // 100
        if points:
            debits, _ = rules.plan_partial_reversal(lots_from(entries).values(), ORDER, points, clawed, NOW)
            apply(entries, debits)
        assert all(0 <= l.remaining <= l.points for l in lots_from(entries).values())

    written_off = None
    if refund_rest:
        clawed = -sum(e.points for e in entries if e.kind == "clawback")
        debits, written_off = rules.plan_reversal(lots_from(entries).values(), ORDER, NOW, clawed)
        apply(entries, debits)
    final = lots_from(entries)
    assert all(0 <= l.remaining <= l.points for l in final.values())
    taken = -sum(e.points for e in entries if e.kind in ("reverse", "clawback"))
    assert taken <= earned + bonus
    if written_off is not None:
        assert earned + bonus == taken + written_off
        assert 0 == sum(l.remaining for l in final.values() if l.order_id == ORDER)
