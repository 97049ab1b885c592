"""Ledger invariants under random histories: balance = sum of entries, never negative, oldest lots spent first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clock
from loyalty import integrity, ledger, rules, store
from loyalty.errors import NotEnoughPoints
from server.db import Database
from server.settings import Settings
from server.stores import open_database

START = datetime(2026, 1, 1, tzinfo=timezone.utc)

op = st.one_of(
    st.tuples(st.just("earn"), st.integers(1, 3_000), st.integers(0, 14)),
    st.tuples(st.just("spend"), st.integers(1, 4_000), st.just(0)),
    st.tuples(st.just("wait"), st.integers(1, 400), st.just(0)),
    st.tuples(st.just("refund"), st.integers(0, 12), st.just(0)),
    st.tuples(st.just("expire"), st.just(0), st.just(0)),
)


class PureLedger:
    """The ledger as a list of entries, driven only by loyalty.rules."""

    def __init__(self) -> None:
        self.entries: list[rules.Entry] = []
        self.now = START
        self.orders: list[int] = []

    def lots(self) -> dict[int, rules.Lot]:
        return rules.build_lots(self.entries)

    def add_debits(self, debits: list[rules.Debit]) -> None:
        for d in debits:
            if d.points:
                self.entries.append(rules.Entry(len(self.entries) + 1, d.kind, -d.points, d.lot_id, self.now))

    def earn(self, points: int, hold: int) -> None:
        available, expires = rules.lot_dates(self.now, hold)
        order_id = len(self.orders) + 1
        self.orders.append(order_id)
        i = len(self.entries) + 1
        self.entries.append(rules.Entry(i, "earn", points, i, self.now, available, expires, order_id))


def check_invariants(lots: dict[int, rules.Lot], entries_sum: int, now: datetime, settled: bool) -> None:
    for lot in lots.values():
        assert 0 <= lot.remaining <= lot.points
    balance = rules.available_balance(lots.values(), now)
    pending = rules.pending_balance(lots.values(), now)
    assert balance >= 0 and pending >= 0
    if settled:
        # Once expiry is written, the balance is exactly the sum of the entries.
        assert entries_sum == balance + pending


def check_oldest_first(before: dict[int, rules.Lot], debits: list[rules.Debit], now: datetime) -> None:
    usable = sorted(
        (lot for lot in before.values() if lot.state(now) == "available" and lot.remaining > 0),
        key=lambda lot: (lot.expires_at, lot.available_at, lot.id),
    )
    taken = {d.lot_id: d.points for d in debits}
    # The debited lots are a prefix of the soonest-expiring lots, every one but the last emptied.
    assert list(taken) == [lot.id for lot in usable[: len(taken)]]
    for lot in usable[: len(taken) - 1]:
        assert lot.remaining == taken[lot.id]


@settings(max_examples=150, deadline=None)
@given(st.lists(op, max_size=40))
def test_pure_ledger_invariants(ops):
    book = PureLedger()
    for name, a, b in ops:
        if name == "earn":
            book.earn(a, b)
        elif name == "wait":
            book.now += timedelta(days=a)
        elif name == "expire":
            book.add_debits(rules.plan_expiry(book.lots().values(), book.now))
        elif name == "spend":
            book.add_debits(rules.plan_expiry(book.lots().values(), book.now))
            before = book.lots()
            balance = rules.available_balance(before.values(), book.now)
            try:
                debits = rules.plan_spend(before.values(), a, book.now)
            except NotEnoughPoints:
                assert a > balance
                continue
            check_oldest_first(before, debits, book.now)
            book.add_debits(debits)
            assert balance - a == rules.available_balance(book.lots().values(), book.now)
        elif name == "refund" and book.orders:
            order_id = book.orders[a % len(book.orders)]
            book.add_debits(rules.plan_expiry(book.lots().values(), book.now))
            lots = book.lots()
            total_before = sum(e.points for e in book.entries)
            debits, written_off = rules.plan_reversal(lots.values(), order_id, book.now)
            book.add_debits(debits)
            own = [lot for lot in lots.values() if lot.order_id == order_id]
            # Everything the order earned and did not lose to expiry is gone, or written off.
            assert sum(lot.remaining + lot.spent for lot in own) == total_before - sum(
                e.points for e in book.entries
            ) + written_off
            assert all(lot.remaining == 0 for lot in book.lots().values() if lot.order_id == order_id)
            # A second refund of the same order takes nothing back from the order's own lots.
            again, _ = rules.plan_reversal(book.lots().values(), order_id, book.now)
            assert [] == [d for d in again if d.kind == "reverse"]
        settled = not rules.plan_expiry(book.lots().values(), book.now)
        check_invariants(book.lots(), sum(e.points for e in book.entries), book.now, settled)


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = open_database(Settings(data_dir=tmp_path_factory.mktemp("ledger")))
    yield db
    db.close()


USERS = iter(range(1, 10**9))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(op, max_size=25))
def test_stored_ledger_invariants(database: Database, ops):
    user = next(USERS)
    now = START
    orders: list[int] = []
    for name, a, b in ops:
        with database.write() as db:
            if name == "earn":
                order_id = store.insert_order(db, {"user_id": user, "currency": "EUR", "subtotal": 0, "discount": 0,
                                                   "total": 0, "code": None, "offer_id": None,
                                                   "discount_source": None, "now": clock.iso(now)})
                orders.append(order_id)
                ledger.earn(db, user, "earn", a, now, b, order_id)
            elif name == "wait":
                now += timedelta(days=a)
            elif name == "expire":
                ledger.settle(db, user, now)
            elif name == "spend":
                balance, _, _ = ledger.balances(db, user, now)
                try:
                    ledger.spend(db, user, a, now)
                except NotEnoughPoints:
                    assert a > balance
                else:
                    assert balance - a == ledger.balances(db, user, now)[0]
            elif name == "refund" and orders:
                ledger.reverse_order(db, user, orders[a % len(orders)], now)
        with database.write() as db:
            ledger.settle(db, user, now)
            lots = ledger.lots(db, user)
            check_invariants(lots, store.ledger_sum(db, user), now, settled=True)
    # `lastmile verify`'s checks of the books (this test writes the ledger below the service layer, so the
    # synced rows the service keeps are not there to compare; tests/api/test_verify.py covers those).
    with database.snapshot() as db:
        assert [] == integrity.check_books(db)


@pytest.mark.parametrize("sql", ["UPDATE points_ledger SET points = 99 WHERE id = ?", "DELETE FROM points_ledger WHERE id = ?"])
def test_ledger_rows_cannot_be_changed_or_deleted(database: Database, sql):
    import sqlite3

    with database.write() as db:
        lot = ledger.earn(db, 999_999_999, "earn", 10, START, 0, None)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with database.write() as db:
            db.execute(sql, [lot])
