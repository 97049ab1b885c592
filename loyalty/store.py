"""SQL of the loyalty room: orders, idempotency keys, the append-only points ledger, tiers, growth, rewards."""

from __future__ import annotations

import json
from typing import Any

from clock.rows import column, one

DOMAIN = "loyalty"

MIGRATIONS: list[tuple[int, str, list[str | dict]]] = [
    (
        1,
        "orders, ledger, tiers, growth, rewards",
        [
            """CREATE TABLE orders (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('placed', 'paid', 'fulfilled', 'cancelled', 'refunded')),
                currency TEXT NOT NULL,
                subtotal INTEGER NOT NULL CHECK (subtotal >= 0),
                discount INTEGER NOT NULL CHECK (discount >= 0),
                total INTEGER NOT NULL CHECK (total >= 0),
                code TEXT,                       -- the offer/coupon code the shopper entered
                offer_id TEXT,                   -- the offer (retention) or reward (points mall) behind the code
                discount_source TEXT,            -- 'offer' or 'mall'
                points_earned INTEGER NOT NULL DEFAULT 0,
                points_reversed INTEGER NOT NULL DEFAULT 0,
                points_written_off INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                paid_at TEXT,
                fulfilled_at TEXT,
                cancelled_at TEXT,
                refunded_at TEXT
            )""",
            "CREATE INDEX orders_user ON orders (user_id, id)",
            "CREATE INDEX orders_offer ON orders (offer_id) WHERE offer_id IS NOT NULL",
            "CREATE INDEX orders_user_paid ON orders (user_id, paid_at) WHERE paid_at IS NOT NULL",
            """CREATE TABLE order_lines (
                order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
                sku TEXT NOT NULL,
                name TEXT NOT NULL,
                qty INTEGER NOT NULL CHECK (qty > 0),
                unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
                line_total INTEGER NOT NULL CHECK (line_total >= 0),
                PRIMARY KEY (order_id, sku)
            )""",
            """CREATE TABLE idempotency_keys (
                user_id INTEGER NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER NOT NULL,
                response BLOB NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (user_id, key)
            )""",
            "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
            """CREATE TABLE points_ledger (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('earn', 'bonus', 'spend', 'expire', 'reverse', 'clawback')),
                points INTEGER NOT NULL CHECK (points != 0),
                lot_id INTEGER NOT NULL REFERENCES points_ledger (id),
                at TEXT NOT NULL,
                available_at TEXT,               -- lots only
                expires_at TEXT,                 -- lots only
                order_id INTEGER REFERENCES orders (id),
                redemption_id INTEGER,
                CHECK ((kind IN ('earn', 'bonus')) = (points > 0)),
                CHECK ((kind IN ('earn', 'bonus')) = (lot_id = id))
            )""",
            "CREATE INDEX points_ledger_user ON points_ledger (user_id, id)",
            "CREATE INDEX points_ledger_available ON points_ledger (available_at) WHERE available_at IS NOT NULL",
            "CREATE INDEX points_ledger_expires ON points_ledger (expires_at) WHERE expires_at IS NOT NULL",
            {"sqlite": """CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger BEGIN
                SELECT RAISE(ABORT, 'points_ledger is append-only');
            END""",
             "postgresql": """CREATE FUNCTION points_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'points_ledger is append-only' USING ERRCODE = 'integrity_constraint_violation'; END $$"""},
            {"sqlite": """CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger BEGIN
                SELECT RAISE(ABORT, 'points_ledger is append-only');
            END""",
             "postgresql": "CREATE TRIGGER points_ledger_append_only BEFORE UPDATE OR DELETE ON points_ledger"
             " FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only()"},
            """CREATE TABLE tiers (
                user_id INTEGER PRIMARY KEY,
                tier TEXT NOT NULL CHECK (tier IN ('silver', 'gold', 'diamond')),
                held_until TEXT,
                accelerated_month TEXT,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE tier_changes (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                from_tier TEXT NOT NULL,
                to_tier TEXT NOT NULL,
                reason TEXT NOT NULL,
                at TEXT NOT NULL
            )""",
            """CREATE TABLE growth_events (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('order', 'order_refund', 'checkin', 'review', 'share')),
                amount INTEGER NOT NULL,
                ref TEXT NOT NULL,               -- what makes the event unique: order id, day, sku, sku@day
                day TEXT NOT NULL,
                month TEXT NOT NULL,
                at TEXT NOT NULL,
                UNIQUE (user_id, kind, ref)
            )""",
            "CREATE INDEX growth_events_user_at ON growth_events (user_id, at)",
            """CREATE TABLE rewards (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('coupon', 'product')),
                points_cost INTEGER NOT NULL CHECK (points_cost > 0),
                stock INTEGER NOT NULL CHECK (stock >= 0),
                value INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),
                currency TEXT,
                sku TEXT,
                active INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE redemptions (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                reward_id TEXT NOT NULL REFERENCES rewards (id),
                points INTEGER NOT NULL CHECK (points > 0),
                code TEXT NOT NULL UNIQUE,
                client_id TEXT,
                mutation_id INTEGER,
                at TEXT NOT NULL,
                used_order_id INTEGER REFERENCES orders (id),
                UNIQUE (client_id, mutation_id)
            )""",
            "CREATE INDEX redemptions_user ON redemptions (user_id, id)",
            """CREATE TABLE loyalty_jobs (
                name TEXT PRIMARY KEY,
                last_run_at TEXT NOT NULL
            )""",
        ],
    ),
    (
        2,
        "reward categories, tier-exclusive and tier-priced rewards",
        [
            "ALTER TABLE rewards ADD COLUMN category TEXT NOT NULL DEFAULT 'general'",
            "ALTER TABLE rewards ADD COLUMN min_tier TEXT",     # tier-exclusive: this tier and above only
            "ALTER TABLE rewards ADD COLUMN gold_cost INTEGER",  # tier-priced: NULL = the silver cost
            "ALTER TABLE rewards ADD COLUMN diamond_cost INTEGER",
            "CREATE INDEX rewards_category ON rewards (category, points_cost)",
        ],
    ),
    (
        3,
        "tier perks, growth spending (coupons, lottery draws), badges",
        [
            """CREATE TABLE loyalty_coupons (
                code TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('growth', 'lottery', 'birthday')),
                item TEXT NOT NULL,              -- growth-shop item, lottery prize or birthday pack it came from
                name TEXT NOT NULL,
                value INTEGER NOT NULL CHECK (value > 0),
                currency TEXT NOT NULL,
                min_order INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_order_id INTEGER REFERENCES orders (id)
            )""",
            "CREATE INDEX loyalty_coupons_user ON loyalty_coupons (user_id)",
            """CREATE TABLE growth_spends (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('coupon', 'draw')),
                item TEXT NOT NULL,              -- growth-shop item or lottery id
                growth INTEGER NOT NULL CHECK (growth > 0),
                client_id TEXT,
                mutation_id INTEGER,
                prize_id TEXT,                   -- draws: the prize drawn (NULL: nothing)
                prize_value INTEGER NOT NULL DEFAULT 0,
                budget_spent INTEGER NOT NULL DEFAULT 0,
                coupon_code TEXT,
                points INTEGER NOT NULL DEFAULT 0,
                at TEXT NOT NULL,
                UNIQUE (client_id, mutation_id)
            )""",
            "CREATE INDEX growth_spends_user ON growth_spends (user_id, id)",
            """CREATE TABLE lotteries (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                cost INTEGER NOT NULL CHECK (cost > 0),
                daily_budget INTEGER NOT NULL CHECK (daily_budget >= 0),
                currency TEXT NOT NULL,
                prizes TEXT NOT NULL,            -- JSON [{id, name, kind, odds, value, points}]
                active INTEGER NOT NULL DEFAULT 1,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE lottery_budget (
                lottery_id TEXT NOT NULL,
                day TEXT NOT NULL,
                spent INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (lottery_id, day)
            )""",
            """CREATE TABLE badges (
                user_id INTEGER NOT NULL,
                badge TEXT NOT NULL,
                earned_at TEXT NOT NULL,
                announced_at TEXT,
                PRIMARY KEY (user_id, badge)
            )""",
            """CREATE TABLE free_returns (
                order_id INTEGER PRIMARY KEY REFERENCES orders (id),
                user_id INTEGER NOT NULL,
                year TEXT NOT NULL
            )""",
            "CREATE INDEX free_returns_user_year ON free_returns (user_id, year)",
            """CREATE TABLE birthday_packs (
                user_id INTEGER NOT NULL,
                year INTEGER NOT NULL,
                tier TEXT NOT NULL,
                points INTEGER NOT NULL DEFAULT 0,
                coupon_code TEXT,
                at TEXT NOT NULL,
                PRIMARY KEY (user_id, year)
            )""",
        ],
    ),
    (
        4,
        "returns (loyalty/returns_store.py)",
        [
            """CREATE TABLE returns (
                id INTEGER PRIMARY KEY,
                order_id INTEGER NOT NULL REFERENCES orders (id),
                user_id INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'received', 'refunded', 'rejected')),
                currency TEXT NOT NULL,
                amount INTEGER NOT NULL CHECK (amount >= 0),              -- the returned lines' share of what was paid
                shipping_fee INTEGER NOT NULL CHECK (shipping_fee >= 0),  -- 0: within the tier's free-return allowance
                points_reversed INTEGER NOT NULL DEFAULT 0,
                client_id TEXT NOT NULL,
                mutation_id INTEGER NOT NULL,
                requested_at TEXT NOT NULL,
                approved_at TEXT,
                received_at TEXT,
                refund_due_at TEXT,              -- received_at + the refund target (4 hours)
                refunded_at TEXT,
                rejected_at TEXT,
                updated_at TEXT NOT NULL,
                UNIQUE (client_id, mutation_id)
            )""",
            "CREATE INDEX returns_user ON returns (user_id, id)",
            "CREATE INDEX returns_order ON returns (order_id)",
            "CREATE INDEX returns_status ON returns (status, id)",
            """CREATE TABLE return_lines (
                return_id INTEGER NOT NULL REFERENCES returns (id),
                order_id INTEGER NOT NULL REFERENCES orders (id),
                sku TEXT NOT NULL,
                qty INTEGER NOT NULL CHECK (qty > 0),
                amount INTEGER NOT NULL CHECK (amount >= 0),
                live INTEGER NOT NULL DEFAULT 1,  -- 0 once the return is rejected: the line may be returned again
                PRIMARY KEY (return_id, sku)
            )""",
            # A line is in at most one live return, whichever process inserts it.
            "CREATE UNIQUE INDEX return_lines_live ON return_lines (order_id, sku) WHERE live = 1",
        ],
    ),
    (
        5,
        "orders delivered",
        ["ALTER TABLE orders ADD COLUMN delivered_at TEXT"],  # the carrier's delivery confirmation
    ),
]


# ---------------------------------------------------------------------------------------------- orders


def insert_order(db: Any, row: dict) -> int:
    """A new order (status 'placed'); its id."""
    return db.execute(
        "INSERT INTO orders (user_id, status, currency, subtotal, discount, total, code, offer_id, discount_source,"
        " created_at, updated_at) VALUES (:user_id, 'placed', :currency, :subtotal, :discount, :total, :code,"
        " :offer_id, :discount_source, :now, :now) RETURNING id",
        row,
    ).fetchone()[0]


def insert_history_order(db: Any, row: dict) -> int:
    """An order as its life cycle left it (the demo's histories), every stamp given; its id."""
    return db.execute(
        "INSERT INTO orders (user_id, status, currency, subtotal, discount, total, code, offer_id, discount_source,"
        " created_at, updated_at, paid_at, fulfilled_at, delivered_at, cancelled_at, refunded_at) VALUES (:user_id,"
        " :status, :currency, :subtotal, :discount, :total, :code, :offer_id, :discount_source, :created_at,"
        " :updated_at, :paid_at, :fulfilled_at, :delivered_at, :cancelled_at, :refunded_at) RETURNING id",
        row,
    ).fetchone()[0]


def insert_order_lines(db: Any, order_id: int, lines: list[dict]) -> None:
    """Every line of an order in one statement."""
    if not lines:
        return
    params: list[Any] = []
    for line in lines:
        params += [order_id, line["sku"], line["name"], line["qty"], line["unit_price"], line["line_total"]]
    db.execute(
        "INSERT INTO order_lines (order_id, sku, name, qty, unit_price, line_total) VALUES "
        + ", ".join("(?, ?, ?, ?, ?, ?)" for _ in lines),
        params,
    )


def insert_order_line(db: Any, order_id: int, line: dict) -> None:
    """One line of an order."""
    db.execute(
        "INSERT INTO order_lines (order_id, sku, name, qty, unit_price, line_total)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [order_id, line["sku"], line["name"], line["qty"], line["unit_price"], line["line_total"]],
    )


def get_order(db: Any, order_id: int, user_id: int | None = None) -> dict | None:
    """One order row (only if it belongs to ``user_id`` when given)."""
    if user_id is None:
        return one(db, "SELECT * FROM orders WHERE id = ?", [order_id])
    return one(db, "SELECT * FROM orders WHERE id = ? AND user_id = ?", [order_id, user_id])


def order_lines(db: Any, order_ids: list[int]) -> dict[int, list[dict]]:
    """The lines of these orders, keyed by order id."""
    if not order_ids:
        return {}
    marks = ",".join("?" for _ in order_ids)
    result: dict[int, list[dict]] = {i: [] for i in order_ids}
    for row in db.query(f"SELECT * FROM order_lines WHERE order_id IN ({marks}) ORDER BY order_id, sku", order_ids):
        result[row["order_id"]].append(row)
    return result


def list_orders(db: Any, user_id: int, before: int | None, limit: int) -> list[dict]:
    """A shopper's orders, newest first, with ids below ``before``."""
    return list(
        db.query(
            "SELECT * FROM orders WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
            [user_id, before if before is not None else 2**62, limit],
        )
    )


def move_order(db: Any, order_id: int, current: str, target: str, now: str) -> bool:
    """Set the order's status if it still is ``current`` (and stamp the time); False if it moved meanwhile."""
    stamp = {"paid": "paid_at", "fulfilled": "fulfilled_at", "cancelled": "cancelled_at", "refunded": "refunded_at"}[target]
    cur = db.execute(
        f"UPDATE orders SET status = ?, updated_at = ?, {stamp} = ? WHERE id = ? AND status = ?",
        [target, now, now, order_id, current],
    )
    return cur.rowcount == 1


def mark_delivered(db: Any, order_id: int, now: str) -> bool:
    """Record a fulfilled order's delivery once; False if it is not fulfilled or was delivered already."""
    return db.execute(
        "UPDATE orders SET delivered_at = ?, updated_at = ? WHERE id = ? AND status = 'fulfilled' AND delivered_at IS NULL",
        [now, now, order_id],
    ).rowcount == 1


def set_order_points(db: Any, order_id: int, *, earned: int | None = None, reversed_: int | None = None,
                     written_off: int | None = None) -> None:
    """Record what an order earned, what its refund took back and what could not be taken back."""
    db.execute(
        "UPDATE orders SET points_earned = COALESCE(?, points_earned), points_reversed = COALESCE(?, points_reversed),"
        " points_written_off = COALESCE(?, points_written_off) WHERE id = ?",
        [earned, reversed_, written_off, order_id],
    )


def paid_spend(db: Any, user_id: int, start: str, end: str) -> int:
    """What a shopper paid in orders paid in [start, end) and not refunded."""
    return db.execute(
        "SELECT COALESCE(SUM(total), 0) FROM orders WHERE user_id = ? AND paid_at >= ? AND paid_at < ?"
        " AND status IN ('paid', 'fulfilled')",
        [user_id, start, end],
    ).fetchone()[0]


def has_kept_bonus(db: Any, user_id: int) -> bool:
    """Whether the shopper holds a first-order bonus from an order that was not refunded."""
    return db.execute(
        "SELECT 1 FROM points_ledger l JOIN orders o ON o.id = l.order_id"
        " WHERE l.user_id = ? AND l.kind = 'bonus' AND o.status != 'refunded' LIMIT 1",
        [user_id],
    ).fetchone() is not None


def bought_sku(db: Any, user_id: int, sku: str) -> bool:
    """Whether the shopper has a paid (or fulfilled) order holding ``sku``."""
    return db.execute(
        "SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id"
        " WHERE o.user_id = ? AND l.sku = ? AND o.status IN ('paid', 'fulfilled') AND o.paid_at IS NOT NULL LIMIT 1",
        [user_id, sku],
    ).fetchone() is not None


def delivered_sku(db: Any, user_id: int, sku: str) -> bool:
    """Whether the shopper has a delivered order holding ``sku``: shipped (fulfilled, not refunded) and confirmed
    delivered by the carrier (``delivered_at``; a parcel on its way has not reached the shopper)."""
    return db.execute(
        "SELECT 1 FROM order_lines l JOIN orders o ON o.id = l.order_id"
        " WHERE o.user_id = ? AND l.sku = ? AND o.status = 'fulfilled' AND o.delivered_at IS NOT NULL LIMIT 1",
        [user_id, sku],
    ).fetchone() is not None


def orders_with_offer(db: Any, offer_id: str) -> list[dict]:
    """Every order placed with ``offer_id`` (retention's conversion tracking)."""
    return list(db.query("SELECT * FROM orders WHERE offer_id = ? ORDER BY id", [offer_id]))


def code_used(db: Any, user_id: int, code: str) -> bool:
    """Whether the shopper has an order (not cancelled) placed with this code."""
    return db.execute(
        "SELECT 1 FROM orders WHERE user_id = ? AND code = ? AND status != 'cancelled' LIMIT 1", [user_id, code]
    ).fetchone() is not None


def revenue_per_offer(db: Any) -> list[dict]:
    """Per offer and currency: paid orders and their revenue (refunded and unpaid orders excluded)."""
    return list(
        db.query(
            "SELECT offer_id, currency, COUNT(*) AS orders, SUM(total) AS revenue, SUM(discount) AS discount"
            " FROM orders WHERE offer_id IS NOT NULL AND status IN ('paid', 'fulfilled') AND paid_at IS NOT NULL"
            " GROUP BY offer_id, currency ORDER BY offer_id, currency"
        )
    )


def order_history(db: Any, user_ids: list[int]) -> list[dict]:
    """Every paid order of these shoppers, refunded ones too: user_id, id, paid_at, total, status, discount,
    fulfilled_at, oldest first (the customer model and the shipped/delivered triggers read it)."""
    rows: list[dict] = []
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        rows += db.query(
            "SELECT user_id, id, paid_at, total, status, discount, fulfilled_at, delivered_at FROM orders"
            " WHERE paid_at IS NOT NULL"
            f" AND user_id IN ({','.join('?' for _ in chunk)}) ORDER BY paid_at, id",
            chunk,
        )
    return rows


def bought_skus(db: Any, user_ids: list[int]) -> list[dict]:
    """Units per (shopper, SKU) over paid or fulfilled orders."""
    rows: list[dict] = []
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        rows += db.query(
            "SELECT o.user_id, l.sku, SUM(l.qty) AS units FROM orders o JOIN order_lines l ON l.order_id = o.id"
            " WHERE o.status IN ('paid', 'fulfilled') AND o.paid_at IS NOT NULL"
            f" AND o.user_id IN ({','.join('?' for _ in chunk)})"
            " GROUP BY o.user_id, l.sku ORDER BY o.user_id, l.sku",
            chunk,
        )
    return rows


def paid_orders(db: Any, user_ids: list[int]) -> list[dict]:
    """Paid (or fulfilled) orders of these shoppers: user_id, id, paid_at, total, oldest first."""
    rows: list[dict] = []
    for start in range(0, len(user_ids), 500):  # bounded IN lists
        chunk = user_ids[start:start + 500]
        rows += db.query(
            "SELECT user_id, id, paid_at, total FROM orders"
            " WHERE status IN ('paid', 'fulfilled') AND paid_at IS NOT NULL"
            f" AND user_id IN ({','.join('?' for _ in chunk)}) ORDER BY paid_at, id",
            chunk,
        )
    return rows


def order_stats(db: Any, user_ids: list[int] | None = None) -> list[dict]:
    """Per shopper: paid order count, money paid, last paid time (recency/frequency/monetary for segments)."""
    where, params = "", []
    if user_ids is not None:
        if not user_ids:
            return []
        where = f" AND user_id IN ({','.join('?' for _ in user_ids)})"
        params = list(user_ids)
    return list(
        db.query(
            "SELECT user_id, COUNT(*) AS orders, SUM(total) AS spent, MAX(paid_at) AS last_paid_at FROM orders"
            f" WHERE status IN ('paid', 'fulfilled') AND paid_at IS NOT NULL{where} GROUP BY user_id ORDER BY user_id",
            params,
        )
    )


# ---------------------------------------------------------------------------------------------- idempotency


def get_idempotency(db: Any, user_id: int, key: str) -> dict | None:
    """The stored request hash and first response for a key, or None."""
    return one(db, "SELECT * FROM idempotency_keys WHERE user_id = ? AND key = ?", [user_id, key])


def put_idempotency(db: Any, user_id: int, key: str, request_hash: str, status: int, response: bytes, now: str) -> None:
    """Keep a key with its request hash and the response to replay."""
    db.execute(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, status, response, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [user_id, key, request_hash, status, response, now],
    )


def purge_idempotency(db: Any, before: str) -> int:
    """Forget keys made before ``before``; how many."""
    return db.execute("DELETE FROM idempotency_keys WHERE created_at < ?", [before]).rowcount


# ---------------------------------------------------------------------------------------------- ledger


def insert_lot(db: Any, user_id: int, kind: str, points: int, at: str, available_at: str, expires_at: str,
               order_id: int | None) -> int:
    """A new lot of points (its own ``lot_id``); its id."""
    lot_id = db.next_id("points_ledger")  # a lot is its own lot_id, so its id is taken before the insert
    db.execute(
        "INSERT INTO points_ledger (id, user_id, kind, points, lot_id, at, available_at, expires_at, order_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [lot_id, user_id, kind, points, lot_id, at, available_at, expires_at, order_id],
    )
    return lot_id


def insert_debit(db: Any, user_id: int, kind: str, points: int, lot_id: int, at: str, *,
                 order_id: int | None = None, redemption_id: int | None = None) -> int:
    """A negative entry against a lot (``points`` given positive); its id."""
    return db.execute(
        "INSERT INTO points_ledger (user_id, kind, points, lot_id, at, order_id, redemption_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [user_id, kind, -points, lot_id, at, order_id, redemption_id],
    ).fetchone()[0]


def ledger_entries(db: Any, user_id: int) -> list[dict]:
    """Every ledger entry of a shopper in order."""
    return list(db.query("SELECT * FROM points_ledger WHERE user_id = ? ORDER BY id", [user_id]))


def ledger_sum(db: Any, user_id: int) -> int:
    """The plain sum of a shopper's entries."""
    return db.execute("SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE user_id = ?", [user_id]).fetchone()[0]


def users_with_lot_dates_between(db: Any, start: str, end: str) -> list[int]:
    """Shoppers with a lot that became available or expired in (start, end]."""
    return column(
        db,
        "SELECT DISTINCT user_id FROM points_ledger WHERE (available_at > ? AND available_at <= ?)"
        " OR (expires_at > ? AND expires_at <= ?) ORDER BY user_id",
        [start, end, start, end],
    )


def users_with_expiry_between(db: Any, start: str, end: str) -> list[int]:
    """Shoppers with a lot expiring in (start, end] (the job uses it to list lots as "expiring soon" in time)."""
    return column(
        db, "SELECT DISTINCT user_id FROM points_ledger WHERE expires_at > ? AND expires_at <= ? ORDER BY user_id",
        [start, end],
    )


def users_with_expired_remainders(db: Any, now: str) -> list[int]:
    """Shoppers holding a lot past its expiry with points left in it (the expiry job writes them off)."""
    return column(
        db,
        "SELECT DISTINCT lot.user_id FROM points_ledger lot WHERE lot.kind IN ('earn', 'bonus')"
        " AND lot.expires_at <= ? AND lot.points + (SELECT COALESCE(SUM(d.points), 0) FROM points_ledger d"
        " WHERE d.lot_id = lot.id AND d.id != lot.id) > 0 ORDER BY lot.user_id",
        [now],
    )


# ---------------------------------------------------------------------------------------------- tiers and growth


def get_tier(db: Any, user_id: int) -> dict | None:
    """A shopper's stored tier row, or None before their first evaluation."""
    return one(db, "SELECT * FROM tiers WHERE user_id = ?", [user_id])


def put_tier(db: Any, user_id: int, tier: str, held_until: str | None, accelerated_month: str | None, now: str) -> None:
    """Store a shopper's tier state."""
    db.execute(
        "INSERT INTO tiers (user_id, tier, held_until, accelerated_month, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET tier = excluded.tier, held_until = excluded.held_until,"
        " accelerated_month = excluded.accelerated_month, updated_at = excluded.updated_at",
        [user_id, tier, held_until, accelerated_month, now],
    )


def insert_tier_change(db: Any, user_id: int, from_tier: str, to_tier: str, reason: str, at: str) -> int:
    """Record a tier transition; its id."""
    return db.execute(
        "INSERT INTO tier_changes (user_id, from_tier, to_tier, reason, at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        [user_id, from_tier, to_tier, reason, at],
    ).fetchone()[0]


def tier_changes_since(db: Any, after_id: int = 0, limit: int = 500) -> list[dict]:
    """Tier transitions (the tier history) with ids above ``after_id``, oldest first."""
    return list(db.query("SELECT * FROM tier_changes WHERE id > ? ORDER BY id LIMIT ?", [after_id, limit]))


def tier_holds_ending(db: Any, since: str, until: str) -> list[int]:
    """Shoppers whose tier hold ended in (since, until] (their tier is due for a downgrade review)."""
    return column(db, "SELECT user_id FROM tiers WHERE held_until > ? AND held_until <= ? ORDER BY user_id",
                  [since, until])


def insert_growth(db: Any, user_id: int, kind: str, amount: int, ref: str, day: str, month: str, at: str) -> bool:
    """Record a growth event; False if one with the same (kind, ref) exists already."""
    cur = db.execute(
        "INSERT INTO growth_events (user_id, kind, amount, ref, day, month, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [user_id, kind, amount, ref, day, month, at],
    )
    return cur.rowcount == 1


def growth_event(db: Any, user_id: int, kind: str, ref: str) -> dict | None:
    """One growth event by its unique reference."""
    return one(db, "SELECT * FROM growth_events WHERE user_id = ? AND kind = ? AND ref = ?", [user_id, kind, ref])


def growth_sum(db: Any, user_id: int, since: str) -> int:
    """Growth earned at or after ``since``."""
    return db.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM growth_events WHERE user_id = ? AND at >= ?", [user_id, since]
    ).fetchone()[0]


def growth_counts(db: Any, user_id: int, kind: str, day: str, month: str) -> tuple[int, int]:
    """How many ``kind`` events counted on ``day`` and in ``month``."""
    row = db.execute(
        "SELECT COALESCE(SUM(CASE WHEN day = ? THEN 1 ELSE 0 END), 0), COUNT(*) FROM growth_events WHERE user_id = ? AND kind = ? AND month = ?",
        [day, user_id, kind, month],
    ).fetchone()
    return row[0], row[1]


# ---------------------------------------------------------------------------------------------- rewards


def insert_reward(db: Any, row: dict, now: str) -> bool:
    """A new reward; False when one with its id exists (whichever process made it first)."""
    return db.execute(
        "INSERT INTO rewards (id, name, kind, points_cost, stock, value, currency, sku, active, category, min_tier,"
        " gold_cost, diamond_cost, created_at, updated_at) VALUES (:id, :name, :kind, :points_cost, :stock, :value,"
        " :currency, :sku, :active, :category, :min_tier, :gold_cost, :diamond_cost, :now, :now)"
        " ON CONFLICT (id) DO NOTHING",
        {**_REWARD_DEFAULTS, **row, "active": int(bool(row["active"])), "now": now},
    ).rowcount == 1


def insert_rewards(db: Any, rows: list[dict], now: str) -> int:
    """Add many rewards at once (the demo mall); ids that exist are left as they are; how many were added."""
    added = 0
    for row in rows:
        added += db.execute(
            "INSERT INTO rewards (id, name, kind, points_cost, stock, value, currency, sku, active, category, min_tier,"
            " gold_cost, diamond_cost, created_at, updated_at) VALUES (:id, :name, :kind, :points_cost, :stock, :value,"
            " :currency, :sku, :active, :category, :min_tier, :gold_cost, :diamond_cost, :now, :now)"
            " ON CONFLICT (id) DO NOTHING",
            {**_REWARD_DEFAULTS, **row, "active": int(bool(row.get("active", True))), "now": now},
        ).rowcount
    return added


_REWARD_DEFAULTS = {"category": "general", "min_tier": None, "gold_cost": None, "diamond_cost": None, "sku": None,
                    "value": 0, "currency": None}


_REWARD_FIELDS = ("name", "points_cost", "stock", "value", "active", "category", "min_tier", "gold_cost", "diamond_cost")


def update_reward(db: Any, reward_id: str, changes: dict, now: str) -> bool:
    """Change some fields of a reward; False if there is no such reward."""
    sets = [f"{name} = ?" for name in _REWARD_FIELDS if name in changes]
    params = [int(changes[n]) if n == "active" else changes[n] for n in _REWARD_FIELDS if n in changes]
    cur = db.execute(
        f"UPDATE rewards SET {', '.join(sets + ['updated_at = ?'])} WHERE id = ?", params + [now, reward_id]
    )
    return cur.rowcount == 1


def lock_reward(db: Any, reward_id: str) -> None:
    """Hold the reward's row until the transaction ends (PostgreSQL; SQLite's one writer holds everything): a change
    or redemption in flight commits first, and what is read next is what it left."""
    if db.dialect == "postgresql":
        db.execute("SELECT 1 FROM rewards WHERE id = ? FOR UPDATE", [reward_id])


def delete_reward(db: Any, reward_id: str) -> bool:
    """Delete a reward nobody redeemed; False if there is no such reward or it was redeemed.

    The row is locked first: a redemption in flight (it takes stock, locking the row) commits before the DELETE reads
    redemptions, so the DELETE sees it, instead of a stale "nobody" failing on the foreign key.
    """
    lock_reward(db, reward_id)
    return db.execute(
        "DELETE FROM rewards WHERE id = ? AND NOT EXISTS (SELECT 1 FROM redemptions WHERE reward_id = ?)",
        [reward_id, reward_id],
    ).rowcount == 1


def get_reward(db: Any, reward_id: str) -> dict | None:
    """One reward row."""
    return one(db, "SELECT * FROM rewards WHERE id = ?", [reward_id])


def list_rewards(db: Any, active_only: bool, category: str | None = None) -> list[dict]:
    """Rewards, cheapest first (of one category when given)."""
    where, params = [], []
    if active_only:
        where.append("active = 1")
    if category is not None:
        where.append("category = ?")
        params.append(category)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return list(db.query(f"SELECT * FROM rewards{clause} ORDER BY points_cost, id", params))


def count_rewards(db: Any) -> int:
    """How many rewards the mall holds (withdrawn ones too)."""
    return db.execute("SELECT COUNT(*) FROM rewards").fetchone()[0]


def take_reward_stock(db: Any, reward_id: str) -> bool:
    """Take one unit of an active reward's stock; False when sold out or withdrawn (never oversells)."""
    cur = db.execute(
        "UPDATE rewards SET stock = stock - 1 WHERE id = ? AND active = 1 AND stock > 0", [reward_id]
    )
    return cur.rowcount == 1


def insert_redemption(db: Any, row: dict) -> int:
    """A redemption (the coupon it made); its id."""
    return db.execute(
        "INSERT INTO redemptions (user_id, reward_id, points, code, client_id, mutation_id, at)"
        " VALUES (:user_id, :reward_id, :points, :code, :client_id, :mutation_id, :at) RETURNING id",
        row,
    ).fetchone()[0]


def redemption_by_mutation(db: Any, client_id: str, mutation_id: int) -> dict | None:
    """The redemption a sync mutation made, if it made one."""
    return one(db, "SELECT * FROM redemptions WHERE client_id = ? AND mutation_id = ?", [client_id, mutation_id])


def coupon(db: Any, user_id: int, code: str) -> dict | None:
    """A shopper's points-mall coupon by code, with its reward's fields."""
    return one(
        db,
        "SELECT r.*, w.name, w.kind, w.value, w.currency, w.sku FROM redemptions r JOIN rewards w ON w.id = r.reward_id"
        " WHERE r.user_id = ? AND r.code = ?",
        [user_id, code],
    )


def user_coupons(db: Any, user_id: int) -> list[dict]:
    """A shopper's points-mall coupons with their rewards' fields, newest first."""
    return list(
        db.query(
            "SELECT r.*, w.name, w.kind, w.value, w.currency, w.sku FROM redemptions r"
            " JOIN rewards w ON w.id = r.reward_id WHERE r.user_id = ? ORDER BY r.id DESC",
            [user_id],
        )
    )


def use_coupon(db: Any, redemption_id: int, order_id: int) -> bool:
    """Mark a coupon used by an order; False if it was used already."""
    return db.execute(
        "UPDATE redemptions SET used_order_id = ? WHERE id = ? AND used_order_id IS NULL", [order_id, redemption_id]
    ).rowcount == 1


# ---------------------------------------------------------------------------------------------- jobs


def job_mark(db: Any, name: str) -> str | None:
    """When a job last ran."""
    row = db.execute("SELECT last_run_at FROM loyalty_jobs WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def set_job_mark(db: Any, name: str, at: str) -> None:
    """Record when a job ran."""
    db.execute(
        "INSERT INTO loyalty_jobs (name, last_run_at) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at",
        [name, at],
    )


# ---------------------------------------------------------------------------------------------- perks


def free_returns_used(db: Any, user_id: int, year: str) -> int:
    """Free returns a shopper used in a calendar year."""
    return db.execute("SELECT COUNT(*) FROM free_returns WHERE user_id = ? AND year = ?", [user_id, year]).fetchone()[0]


def claim_free_return(db: Any, user_id: int, order_id: int, year: str, allowance: int) -> bool:
    """Mark a returned order's return free if the year's allowance has room; the caller holds the shopper's lock
    (under READ COMMITTED two of these statements at once could each see room, so the lock keeps it within)."""
    return db.execute(
        "INSERT INTO free_returns (order_id, user_id, year) SELECT ?, ?, ?"
        " WHERE (SELECT COUNT(*) FROM free_returns WHERE user_id = ? AND year = ?) < ?"
        " ON CONFLICT (order_id) DO NOTHING",
        [order_id, user_id, year, user_id, year, allowance],
    ).rowcount == 1


def is_free_return(db: Any, order_id: int) -> bool:
    """Whether an order's return was free."""
    return db.execute("SELECT 1 FROM free_returns WHERE order_id = ?", [order_id]).fetchone() is not None


def claim_birthday_pack(db: Any, user_id: int, year: int, tier: str, at: str) -> bool:
    """Claim this year's birthday pack (once a year); False if it was claimed already."""
    return db.execute(
        "INSERT INTO birthday_packs (user_id, year, tier, at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, year) DO NOTHING",
        [user_id, year, tier, at],
    ).rowcount == 1


def set_birthday_pack(db: Any, user_id: int, year: int, points: int, coupon_code: str | None) -> None:
    """Record what a claimed birthday pack gave."""
    db.execute("UPDATE birthday_packs SET points = ?, coupon_code = ? WHERE user_id = ? AND year = ?",
               [points, coupon_code, user_id, year])


def birthday_pack(db: Any, user_id: int, year: int) -> dict | None:
    """The birthday pack of one year, if claimed."""
    return one(db, "SELECT * FROM birthday_packs WHERE user_id = ? AND year = ?", [user_id, year])


# ---------------------------------------------------------------------------------------------- loyalty coupons


def insert_loyalty_coupon(db: Any, row: dict) -> None:
    """A coupon growth bought, a lottery paid out or a birthday pack held."""
    db.execute(
        "INSERT INTO loyalty_coupons (code, user_id, source, item, name, value, currency, min_order, created_at,"
        " expires_at) VALUES (:code, :user_id, :source, :item, :name, :value, :currency, :min_order, :created_at,"
        " :expires_at)",
        row,
    )


def loyalty_coupon(db: Any, user_id: int, code: str) -> dict | None:
    """One of the shopper's loyalty coupons by code."""
    return one(db, "SELECT * FROM loyalty_coupons WHERE user_id = ? AND code = ?", [user_id, code])


def user_loyalty_coupons(db: Any, user_id: int) -> list[dict]:
    """A shopper's loyalty coupons, newest first."""
    return list(db.query("SELECT * FROM loyalty_coupons WHERE user_id = ? ORDER BY created_at DESC, code", [user_id]))


def use_loyalty_coupon(db: Any, code: str, order_id: int) -> bool:
    """Mark a loyalty coupon used by an order; False if it was used already."""
    return db.execute(
        "UPDATE loyalty_coupons SET used_order_id = ? WHERE code = ? AND used_order_id IS NULL", [order_id, code]
    ).rowcount == 1


def release_coupons(db: Any, order_id: int) -> tuple[list[dict], list[dict]]:
    """Give back the coupons a cancelled order used: the points-mall and the loyalty coupon rows, as released.

    One UPDATE ... RETURNING per kind, so a concurrent release cannot hand the same coupon back twice.
    """
    mall = list(db.query("UPDATE redemptions SET used_order_id = NULL WHERE used_order_id = ? RETURNING *", [order_id]))
    gifts = list(db.query("UPDATE loyalty_coupons SET used_order_id = NULL WHERE used_order_id = ? RETURNING *",
                          [order_id]))
    return mall, gifts


# ---------------------------------------------------------------------------------------------- growth spending


def growth_total(db: Any, user_id: int) -> int:
    """All growth a shopper ever earned, net of refunds."""
    return db.execute("SELECT COALESCE(SUM(amount), 0) FROM growth_events WHERE user_id = ?", [user_id]).fetchone()[0]


def growth_spent(db: Any, user_id: int) -> int:
    """All growth a shopper spent on coupons and draws."""
    return db.execute("SELECT COALESCE(SUM(growth), 0) FROM growth_spends WHERE user_id = ?", [user_id]).fetchone()[0]


def insert_growth_spend(db: Any, row: dict) -> int:
    """Record growth spent on a coupon or a draw; its id."""
    return db.execute(
        "INSERT INTO growth_spends (user_id, kind, item, growth, client_id, mutation_id, prize_id, prize_value,"
        " budget_spent, coupon_code, points, at) VALUES (:user_id, :kind, :item, :growth, :client_id, :mutation_id,"
        " :prize_id, :prize_value, :budget_spent, :coupon_code, :points, :at) RETURNING id",
        row,
    ).fetchone()[0]


def growth_spend_by_mutation(db: Any, client_id: str, mutation_id: int) -> dict | None:
    """The spend a sync mutation made, if it made one."""
    return one(db, "SELECT * FROM growth_spends WHERE client_id = ? AND mutation_id = ?", [client_id, mutation_id])


def growth_spends(db: Any, user_id: int, kind: str | None = None) -> list[dict]:
    """A shopper's spends in order."""
    if kind is None:
        return list(db.query("SELECT * FROM growth_spends WHERE user_id = ? ORDER BY id", [user_id]))
    return list(db.query("SELECT * FROM growth_spends WHERE user_id = ? AND kind = ? ORDER BY id", [user_id, kind]))


def put_lottery(db: Any, lottery_id: str, row: dict, now: str) -> None:
    """Create or replace a lottery (prizes as JSON)."""
    db.execute(
        "INSERT INTO lotteries (id, name, cost, daily_budget, currency, prizes, active, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, cost = excluded.cost,"
        " daily_budget = excluded.daily_budget, currency = excluded.currency, prizes = excluded.prizes,"
        " active = excluded.active, updated_at = excluded.updated_at",
        [lottery_id, row["name"], row["cost"], row["daily_budget"], row["currency"], json.dumps(row["prizes"]),
         int(row["active"]), now],
    )


def _lottery(row: dict) -> dict:
    return {**row, "prizes": json.loads(row["prizes"]), "active": bool(row["active"])}


def get_lottery(db: Any, lottery_id: str) -> dict | None:
    """One lottery."""
    row = one(db, "SELECT * FROM lotteries WHERE id = ?", [lottery_id])
    return _lottery(row) if row else None


def list_lotteries(db: Any, active_only: bool) -> list[dict]:
    """Lotteries in id order."""
    where = " WHERE active = 1" if active_only else ""
    return [_lottery(r) for r in db.query(f"SELECT * FROM lotteries{where} ORDER BY id")]


def budget_spent(db: Any, lottery_id: str, day: str) -> int:
    """What a lottery's prizes paid out on a day."""
    row = db.execute("SELECT spent FROM lottery_budget WHERE lottery_id = ? AND day = ?", [lottery_id, day]).fetchone()
    return row[0] if row else 0


def take_budget(db: Any, lottery_id: str, day: str, amount: int, budget: int) -> bool:
    """Pay ``amount`` out of the day's prize budget if it has room (conditional: never over the budget)."""
    if amount > budget:
        return False
    db.execute(
        "INSERT INTO lottery_budget (lottery_id, day, spent) VALUES (?, ?, 0) ON CONFLICT (lottery_id, day) DO NOTHING",
        [lottery_id, day],
    )
    return db.execute(
        "UPDATE lottery_budget SET spent = spent + ? WHERE lottery_id = ? AND day = ? AND spent + ? <= ?",
        [amount, lottery_id, day, amount, budget],
    ).rowcount == 1


# ---------------------------------------------------------------------------------------------- badges


def award_badge(db: Any, user_id: int, badge: str, at: str) -> bool:
    """Award a badge once; False if the shopper has it already."""
    return db.execute(
        "INSERT INTO badges (user_id, badge, earned_at) VALUES (?, ?, ?) ON CONFLICT (user_id, badge) DO NOTHING",
        [user_id, badge, at],
    ).rowcount == 1


def mark_badge_announced(db: Any, user_id: int, badge: str, at: str) -> bool:
    """Record that a device announced the badge; False if it had been announced (or is not the shopper's)."""
    return db.execute(
        "UPDATE badges SET announced_at = ? WHERE user_id = ? AND badge = ? AND announced_at IS NULL",
        [at, user_id, badge],
    ).rowcount == 1


def get_badge(db: Any, user_id: int, badge: str) -> dict | None:
    """One of the shopper's badges."""
    return one(db, "SELECT * FROM badges WHERE user_id = ? AND badge = ?", [user_id, badge])


def count_reviews(db: Any, user_id: int) -> int:
    """Reviews that counted for growth."""
    return db.execute("SELECT COUNT(*) FROM growth_events WHERE user_id = ? AND kind = 'review'", [user_id]).fetchone()[0]


def checkin_days(db: Any, user_id: int, limit: int) -> list[str]:
    """The shopper's most recent check-in days (YYYY-MM-DD), newest first."""
    return column(db, "SELECT day FROM growth_events WHERE user_id = ? AND kind = 'checkin' ORDER BY day DESC LIMIT ?",
                  [user_id, limit])


# ---------------------------------------------------------------------------------------- lastmile verify

def order_total_mismatches(db: Any) -> list[dict]:
    """Orders whose total is not subtotal - discount + shipping, whose subtotal is not the sum of their lines, or
    with a line whose total is not qty x unit price (``bad_lines`` counts those)."""
    bad_line = "CASE WHEN l.line_total != l.qty * l.unit_price THEN 1 ELSE 0 END"
    return list(db.query(
        "SELECT o.id, o.user_id, o.subtotal, o.discount, o.shipping, o.total, COALESCE(SUM(l.line_total), 0) AS lines_total,"
        f" COALESCE(SUM({bad_line}), 0) AS bad_lines"
        " FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id"
        " GROUP BY o.id, o.user_id, o.subtotal, o.discount, o.shipping, o.total"
        " HAVING o.total != o.subtotal - o.discount + o.shipping OR o.subtotal != COALESCE(SUM(l.line_total), 0)"
        f" OR COALESCE(SUM({bad_line}), 0) > 0 ORDER BY o.id"
    ))


def lots_below_zero(db: Any) -> list[dict]:
    """Lots from which more was taken than they held."""
    return list(db.query(
        "SELECT lot.id, lot.user_id, lot.points + COALESCE(SUM(d.points), 0) AS remaining"
        " FROM points_ledger lot LEFT JOIN points_ledger d ON d.lot_id = lot.id AND d.id != lot.id"
        " WHERE lot.kind IN ('earn', 'bonus') GROUP BY lot.id, lot.user_id, lot.points"
        " HAVING lot.points + COALESCE(SUM(d.points), 0) < 0 ORDER BY lot.id"
    ))


def stray_debits(db: Any) -> list[dict]:
    """Debits that point at no lot, at another shopper's lot, or at a debit: the balance would not be the
    sum of the lots' remainders."""
    return list(db.query(
        "SELECT d.id, d.user_id, d.lot_id, lot.user_id AS lot_user_id, lot.kind AS lot_kind"
        " FROM points_ledger d LEFT JOIN points_ledger lot ON lot.id = d.lot_id"
        " WHERE d.kind NOT IN ('earn', 'bonus')"
        " AND (lot.id IS NULL OR lot.user_id != d.user_id OR lot.kind NOT IN ('earn', 'bonus')) ORDER BY d.id"
    ))


def ledger_users(db: Any) -> list[int]:
    """Every shopper with a ledger entry."""
    return column(db, "SELECT DISTINCT user_id FROM points_ledger ORDER BY user_id")


def orders_by_id(db: Any, order_ids: list[int]) -> dict[int, dict]:
    """Order rows by id."""
    if not order_ids:
        return {}
    marks = ", ".join("?" * len(order_ids))
    return {r["id"]: r for r in db.query(f"SELECT * FROM orders WHERE id IN ({marks})", order_ids)}


def orders_of_users(db: Any) -> list[tuple[int, int]]:
    """(user_id, order id) of every order."""
    return [(r[0], r[1]) for r in db.execute("SELECT user_id, id FROM orders ORDER BY id").fetchall()]


def bought_together(db: Any, sku: str, limit: int) -> list[str]:
    """Other SKUs in orders holding ``sku`` (not cancelled or refunded), most shared orders first, then by SKU."""
    rows = db.query(
        "SELECT b.sku AS sku, count(*) AS shared FROM order_lines a"
        " JOIN order_lines b ON b.order_id = a.order_id AND b.sku <> a.sku"
        " JOIN orders o ON o.id = a.order_id"
        " WHERE a.sku = ? AND o.status NOT IN ('cancelled', 'refunded')"
        " GROUP BY b.sku ORDER BY shared DESC, b.sku LIMIT ?",
        [sku, limit],
    )
    return [r["sku"] for r in rows]


def purchases(db: Any, since: str, *, user_id: int | None = None, limit: int = 200_000) -> list[tuple[int, str, str]]:
    """(user_id, sku, created_at) of order lines placed at or after ``since`` (ISO), newest order first, leaving
    out cancelled and refunded orders (recommendations learn from what shoppers kept); at most ``limit``."""
    where = " AND o.user_id = ?" if user_id is not None else ""
    params: list[Any] = [since, *([user_id] if user_id is not None else []), limit]
    return [
        (r[0], r[1], r[2])
        for r in db.execute(
            "SELECT o.user_id, l.sku, o.created_at FROM orders o JOIN order_lines l ON l.order_id = o.id"
            f" WHERE o.created_at >= ? AND o.status NOT IN ('cancelled', 'refunded'){where}"
            " ORDER BY o.id DESC, l.sku LIMIT ?",
            params,
        )
    ]
