"""Database.transact: a transaction the database gives up on runs again, bounded, on both stores."""

from __future__ import annotations

import math
import threading

import pytest

from server.db import RETRY_ATTEMPTS, TransientError
from tests.utils import add_product, start_and_join


def _stock(fresh_db, product_id: str) -> int:
    return fresh_db.read().execute("SELECT stock FROM products WHERE id = ?", [product_id]).fetchone()[0]


def _take_a_mug(runs: list[int], failures: float):
    """Work that takes one MUG off the stock, then, in its first ``failures`` runs, fails as transient (as a
    deadlock detected mid-transaction would); each run is counted in ``runs``."""

    def work(db):
        runs.append(1)
        db.execute("UPDATE products SET stock = stock - 1 WHERE id = ?", ["MUG"])
        if len(runs) <= failures:
            raise TransientError()
        return "done"

    return work


def test_a_transient_failure_runs_the_transaction_again_and_commits_once(fresh_db):
    add_product(fresh_db, "MUG", stock=10)
    runs: list[int] = []
    assert "done" == fresh_db.transact(_take_a_mug(runs, failures=2))
    assert 3 == len(runs)
    assert 9 == _stock(fresh_db, "MUG")  # the two failed runs were rolled back


def test_retries_are_bounded_then_the_error_reaches_the_caller(fresh_db):
    add_product(fresh_db, "MUG", stock=10)
    runs: list[int] = []
    with pytest.raises(TransientError):
        fresh_db.transact(_take_a_mug(runs, failures=math.inf))
    assert RETRY_ATTEMPTS == len(runs)
    assert 10 == _stock(fresh_db, "MUG")


def test_inside_a_transaction_the_outer_one_decides(fresh_db):
    runs = []

    def inner(db):
        runs.append(1)
        raise TransientError()

    def outer(db):
        runs.append(0)
        return fresh_db.transact(inner)

    with pytest.raises(TransientError):
        fresh_db.transact(outer)
    assert [0, 1] * RETRY_ATTEMPTS == runs  # the inner call never retries on its own


def test_a_real_deadlock_is_retried_and_both_writers_finish(fresh_db):
    """Two writers take two rows in opposite orders; PostgreSQL kills one, transact() runs it again."""
    add_product(fresh_db, "A", stock=100)
    add_product(fresh_db, "B", stock=100)
    both_hold_one = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []
    attempts: list[int] = []

    def writer(first: str, second: str) -> None:
        def work(db):
            attempts.append(1)
            db.execute("UPDATE products SET stock = stock - 1 WHERE id = ?", [first])
            if len(attempts) <= 2 and fresh_db.dialect == "postgresql":
                both_hold_one.wait()  # SQLite has one writer: there the second simply waits its turn
            db.execute("UPDATE products SET stock = stock - 1 WHERE id = ?", [second])

        try:
            fresh_db.transact(work)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=order) for order in (("A", "B"), ("B", "A"))]
    start_and_join(threads, timeout=60)
    assert [] == errors
    assert (3 if fresh_db.dialect == "postgresql" else 2) == len(attempts)  # the deadlock's victim ran twice
    assert (98, 98) == (_stock(fresh_db, "A"), _stock(fresh_db, "B"))
