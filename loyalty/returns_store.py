"""SQL of returns (tables in loyalty/store.py's migration 4): returns, their lines, and what they change elsewhere
in the loyalty room (the free-return claim, growth reversed per return)."""

from __future__ import annotations

from typing import Any

from clock.rows import one

STAMPS = {"approved": "approved_at", "received": "received_at", "refunded": "refunded_at", "rejected": "rejected_at"}


def insert_return(db: Any, row: dict) -> int:
    """A new return (status 'requested'); its id."""
    return db.execute(
        "INSERT INTO returns (order_id, user_id, status, currency, amount, shipping_fee, client_id, mutation_id,"
        " requested_at, updated_at) VALUES (:order_id, :user_id, 'requested', :currency, :amount, :shipping_fee,"
        " :client_id, :mutation_id, :now, :now) RETURNING id",
        row,
    ).fetchone()[0]


def insert_return_lines(db: Any, return_id: int, order_id: int, lines: list[dict]) -> None:
    """The returned lines (``sku``, ``qty``, ``amount``) of a return."""
    for line in lines:
        db.execute(
            "INSERT INTO return_lines (return_id, order_id, sku, qty, amount) VALUES (?, ?, ?, ?, ?)",
            [return_id, order_id, line["sku"], line["qty"], line["amount"]],
        )


def return_by_mutation(db: Any, client_id: str, mutation_id: int) -> dict | None:
    """The return a sync mutation made, if it was applied before."""
    return one(db, "SELECT * FROM returns WHERE client_id = ? AND mutation_id = ?", [client_id, mutation_id])


def get_return(db: Any, return_id: int) -> dict | None:
    """One return row."""
    return one(db, "SELECT * FROM returns WHERE id = ?", [return_id])


def return_lines(db: Any, return_ids: list[int]) -> dict[int, list[dict]]:
    """The lines of these returns, keyed by return id."""
    result: dict[int, list[dict]] = {i: [] for i in return_ids}
    if not return_ids:
        return result
    marks = ",".join("?" for _ in return_ids)
    for row in db.query(f"SELECT * FROM return_lines WHERE return_id IN ({marks}) ORDER BY return_id, sku", return_ids):
        result[row["return_id"]].append(row)
    return result


def live_returned_skus(db: Any, order_id: int) -> set[str]:
    """SKUs of the order that are in a return not rejected."""
    return {r["sku"] for r in db.query("SELECT sku FROM return_lines WHERE order_id = ? AND live = 1", [order_id])}


def order_returns(db: Any, order_id: int) -> list[dict]:
    """Every return of an order, oldest first."""
    return list(db.query("SELECT * FROM returns WHERE order_id = ? ORDER BY id", [order_id]))


def move_return(db: Any, return_id: int, current: str, target: str, now: str, refund_due_at: str | None = None) -> bool:
    """Set the return's status if it still is ``current`` (and stamp the time); False if it moved meanwhile."""
    stamp = STAMPS[target]
    return db.execute(
        f"UPDATE returns SET status = ?, updated_at = ?, {stamp} = ?, refund_due_at = COALESCE(?, refund_due_at)"
        " WHERE id = ? AND status = ?",
        [target, now, now, refund_due_at, return_id, current],
    ).rowcount == 1


def release_lines(db: Any, return_id: int) -> None:
    """A rejected return's lines may be returned again."""
    db.execute("UPDATE return_lines SET live = 0 WHERE return_id = ?", [return_id])


def set_return_points(db: Any, return_id: int, points: int) -> None:
    """Record the points a return's refund took back."""
    db.execute("UPDATE returns SET points_reversed = ? WHERE id = ?", [points, return_id])


def list_returns(db: Any, status: str | None, before: int | None, limit: int) -> list[dict]:
    """Returns newest first (of one status when given), with ids below ``before``."""
    before = before if before is not None else 2**62
    if status is None:
        return list(db.query("SELECT * FROM returns WHERE id < ? ORDER BY id DESC LIMIT ?", [before, limit]))
    return list(db.query("SELECT * FROM returns WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?",
                         [status, before, limit]))


def user_returns(db: Any, user_id: int) -> list[dict]:
    """A shopper's returns, oldest first."""
    return list(db.query("SELECT * FROM returns WHERE user_id = ? ORDER BY id", [user_id]))


def release_free_return(db: Any, order_id: int) -> None:
    """Give a claimed free return back to the allowance (its only return was rejected)."""
    db.execute("DELETE FROM free_returns WHERE order_id = ?", [order_id])


def growth_reversed_by_returns(db: Any, user_id: int, order_id: int) -> int:
    """Growth of an order its partial returns took back already (their events are ``order_refund`` ``{id}:r{n}``)."""
    return -db.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM growth_events WHERE user_id = ? AND kind = 'order_refund' AND ref LIKE ?",
        [user_id, f"{order_id}:r%"],
    ).fetchone()[0]


def amount_mismatches(db: Any) -> list[dict]:
    """Returns whose amount is not the sum of their lines' amounts."""
    return list(db.query(
        "SELECT r.id, r.order_id, r.amount, COALESCE(SUM(l.amount), 0) AS lines_amount"
        " FROM returns r LEFT JOIN return_lines l ON l.return_id = r.id"
        " GROUP BY r.id, r.order_id, r.amount HAVING r.amount != COALESCE(SUM(l.amount), 0) ORDER BY r.id"
    ))


def over_returned_orders(db: Any) -> list[dict]:
    """Orders whose returns (not rejected) give back more than their goods cost."""
    return list(db.query(
        "SELECT o.id, o.total, o.shipping, SUM(r.amount) AS returned FROM orders o JOIN returns r ON r.order_id = o.id"
        " WHERE r.status != 'rejected' GROUP BY o.id, o.total, o.shipping"
        " HAVING SUM(r.amount) > o.total - o.shipping ORDER BY o.id"
    ))
