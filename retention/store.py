"""SQL of the retention room: subscriptions, profiles, scores, templates, offers, campaigns, messages, outbox, events."""

from __future__ import annotations

import json
from typing import Any, Iterable

DOMAIN = "retention"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "push and retention",
        [
            """CREATE TABLE retention_profiles (
                user_id INTEGER PRIMARY KEY,
                time_zone TEXT,
                locale TEXT,
                tier_seen TEXT,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE push_subscriptions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: old outbox rows must not reach a new device
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                device_id INTEGER REFERENCES devices (id) ON DELETE CASCADE,  -- a signed-out device gets no more pushes
                endpoint TEXT NOT NULL UNIQUE,
                p256dh TEXT NOT NULL,
                auth TEXT NOT NULL,
                consent_at TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id)",
            """CREATE TABLE retention_scores (
                user_id INTEGER PRIMARY KEY,
                recency INTEGER NOT NULL,
                frequency INTEGER NOT NULL,
                monetary INTEGER NOT NULL,
                segment TEXT NOT NULL,
                days_since_activity INTEGER,
                orders INTEGER NOT NULL,
                revenue INTEGER NOT NULL,
                discounted_share REAL NOT NULL,
                views INTEGER NOT NULL,
                computed_at TEXT NOT NULL
            )""",
            """CREATE TABLE retention_templates (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL,
                locale TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                url TEXT NOT NULL,
                icon TEXT,
                UNIQUE (key, locale)
            )""",
            """CREATE TABLE retention_offers (
                id INTEGER PRIMARY KEY,
                code TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('percent', 'amount')),
                value INTEGER NOT NULL CHECK (value > 0),
                currency TEXT,
                min_order INTEGER NOT NULL DEFAULT 0,
                expires_at TEXT NOT NULL,
                segment TEXT,
                budget INTEGER NOT NULL CHECK (budget > 0),
                spent INTEGER NOT NULL DEFAULT 0 CHECK (spent <= budget),
                redemptions INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE retention_campaigns (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                trigger TEXT NOT NULL,
                segment TEXT,
                active INTEGER NOT NULL,
                urgency TEXT NOT NULL,
                ttl INTEGER NOT NULL,
                topic TEXT,
                variants TEXT NOT NULL
            )""",
            """CREATE TABLE retention_messages (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                trigger TEXT NOT NULL,
                dedupe TEXT NOT NULL,
                campaign_id INTEGER NOT NULL DEFAULT 0,
                variant TEXT NOT NULL DEFAULT '',
                offer_id INTEGER,
                due_at TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (user_id, dedupe)
            )""",
            "CREATE INDEX retention_messages_user_due ON retention_messages (user_id, due_at)",
            "CREATE INDEX retention_messages_campaign ON retention_messages (campaign_id, variant)",
            """CREATE TABLE offer_grants (
                user_id INTEGER NOT NULL,
                offer_id INTEGER NOT NULL REFERENCES retention_offers (id),
                message_id INTEGER REFERENCES retention_messages (id),
                granted_at TEXT NOT NULL,
                redeemed_at TEXT,
                order_id TEXT,
                discount INTEGER,
                revenue INTEGER,
                PRIMARY KEY (user_id, offer_id)
            )""",
            """CREATE TABLE push_outbox (
                id INTEGER PRIMARY KEY,
                message_id INTEGER NOT NULL REFERENCES retention_messages (id),
                subscription_id INTEGER NOT NULL,
                payload BLOB NOT NULL,
                topic TEXT,
                urgency TEXT NOT NULL,
                ttl INTEGER NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                not_before TEXT NOT NULL,
                claimed_at TEXT,
                sent_at TEXT,
                status INTEGER,
                UNIQUE (message_id, subscription_id)
            )""",
            "CREATE INDEX push_outbox_due ON push_outbox (state, not_before)",
            """CREATE TABLE retention_events (
                message_id INTEGER NOT NULL REFERENCES retention_messages (id),
                kind TEXT NOT NULL,
                at TEXT NOT NULL,
                PRIMARY KEY (message_id, kind)
            )""",
            """CREATE TABLE retention_views (
                user_id INTEGER NOT NULL,
                day TEXT NOT NULL,
                views INTEGER NOT NULL,
                PRIMARY KEY (user_id, day)
            )""",
            """CREATE TABLE retention_price_baselines (
                user_id INTEGER NOT NULL,
                sku TEXT NOT NULL,
                price INTEGER NOT NULL,
                PRIMARY KEY (user_id, sku)
            )""",
        ],
    ),
    (
        2,
        "browse history per product",
        [
            """CREATE TABLE retention_product_views (
                user_id INTEGER NOT NULL,
                sku TEXT NOT NULL,
                day TEXT NOT NULL,
                views INTEGER NOT NULL,
                PRIMARY KEY (user_id, sku, day)
            )""",
            "CREATE INDEX retention_product_views_day ON retention_product_views (day)",
        ],
    ),
]


def _one(db: Any, sql: str, params: Iterable[Any]) -> dict | None:
    rows = list(db.query(sql, list(params)))
    return rows[0] if rows else None


def _marks(values: list) -> str:
    return ",".join("?" for _ in values)


# --- profiles -------------------------------------------------------------------------------------

def get_profile(db: Any, user_id: int) -> dict | None:
    """A shopper's retention profile (time zone, locale, last tier seen)."""
    return _one(db, "SELECT * FROM retention_profiles WHERE user_id = ?", [user_id])


def get_profiles(db: Any, user_ids: list[int]) -> dict[int, dict]:
    """Profiles keyed by user id."""
    if not user_ids:
        return {}
    return {r["user_id"]: r for r in db.query(f"SELECT * FROM retention_profiles WHERE user_id IN ({_marks(user_ids)})", user_ids)}


def upsert_profile(db: Any, user_id: int, now: str, *, time_zone: str | None = None, locale: str | None = None) -> None:
    """Record a shopper's time zone/locale (values not given stay as they were)."""
    db.execute(
        "INSERT INTO retention_profiles (user_id, time_zone, locale, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET time_zone = COALESCE(excluded.time_zone, time_zone),"
        " locale = COALESCE(excluded.locale, locale), updated_at = excluded.updated_at",
        [user_id, time_zone, locale, now],
    )


def set_tier_seen(db: Any, user_id: int, tier: str, now: str) -> None:
    """Remember the tier retention last saw, so a tier-up fires once."""
    db.execute(
        "INSERT INTO retention_profiles (user_id, tier_seen, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET tier_seen = excluded.tier_seen, updated_at = excluded.updated_at",
        [user_id, tier, now],
    )


# --- subscriptions --------------------------------------------------------------------------------

def add_subscription(db: Any, user_id: int, device_id: int | None, endpoint: str, p256dh: str, auth: str, now: str) -> int:
    """Store a subscription (an endpoint re-subscribed moves to this shopper/device with fresh keys); its id."""
    db.execute(
        "INSERT INTO push_subscriptions (user_id, device_id, endpoint, p256dh, auth, consent_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id,"
        " device_id = excluded.device_id, p256dh = excluded.p256dh, auth = excluded.auth,"
        " consent_at = excluded.consent_at",
        [user_id, device_id, endpoint, p256dh, auth, now, now],
    )
    return db.execute("SELECT id FROM push_subscriptions WHERE endpoint = ?", [endpoint]).fetchone()[0]


def get_subscription(db: Any, subscription_id: int) -> dict | None:
    """One subscription row."""
    return _one(db, "SELECT * FROM push_subscriptions WHERE id = ?", [subscription_id])


def user_subscriptions(db: Any, user_id: int) -> list[dict]:
    """A shopper's subscriptions, oldest first."""
    return list(db.query("SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id", [user_id]))


def subscriptions_for(db: Any, user_ids: list[int]) -> dict[int, list[dict]]:
    """Subscriptions of several shoppers keyed by user id."""
    out: dict[int, list[dict]] = {u: [] for u in user_ids}
    if user_ids:
        for row in db.query(f"SELECT * FROM push_subscriptions WHERE user_id IN ({_marks(user_ids)}) ORDER BY id", user_ids):
            out[row["user_id"]].append(row)
    return out


def delete_subscription(db: Any, subscription_id: int, user_id: int | None = None) -> bool:
    """Delete a subscription (only the owner's when ``user_id`` is given); its queued deliveries are dropped."""
    if user_id is None:
        cur = db.execute("DELETE FROM push_subscriptions WHERE id = ?", [subscription_id])
    else:
        cur = db.execute("DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?", [subscription_id, user_id])
    if cur.rowcount:
        db.execute(
            "UPDATE push_outbox SET state = 'dropped' WHERE subscription_id = ? AND state = 'pending'", [subscription_id]
        )
    return cur.rowcount == 1


def delete_device_subscriptions(db: Any, device_id: int) -> int:
    """Drop the subscriptions of a device that was removed or logged out."""
    ids = [r[0] for r in db.execute("SELECT id FROM push_subscriptions WHERE device_id = ?", [device_id]).fetchall()]
    for sid in ids:
        delete_subscription(db, sid)
    return len(ids)


# --- scores ---------------------------------------------------------------------------------------

def save_scores(db: Any, rows: list[dict], now: str) -> None:
    """Replace the stored scores of these shoppers."""
    for row in rows:
        db.execute(
            "INSERT OR REPLACE INTO retention_scores (user_id, recency, frequency, monetary, segment,"
            " days_since_activity, orders, revenue, discounted_share, views, computed_at)"
            " VALUES (:user_id, :recency, :frequency, :monetary, :segment, :days_since_activity, :orders,"
            " :revenue, :discounted_share, :views, :computed_at)",
            {**row, "computed_at": now},
        )


def get_scores(db: Any, user_id: int) -> dict | None:
    """One shopper's stored scores."""
    return _one(db, "SELECT * FROM retention_scores WHERE user_id = ?", [user_id])


def list_scores(db: Any, *, segment: str | None, after: int, limit: int) -> list[dict]:
    """Stored scores in user id order, optionally of one segment."""
    if segment is None:
        return list(db.query("SELECT * FROM retention_scores WHERE user_id > ? ORDER BY user_id LIMIT ?", [after, limit]))
    return list(
        db.query(
            "SELECT * FROM retention_scores WHERE segment = ? AND user_id > ? ORDER BY user_id LIMIT ?",
            [segment, after, limit],
        )
    )


def segment_counts(db: Any) -> dict[str, int]:
    """How many shoppers are in each segment."""
    return {r["segment"]: r["n"] for r in db.query("SELECT segment, count(*) AS n FROM retention_scores GROUP BY segment")}


def users_in_segment(db: Any, segment: str) -> list[int]:
    """User ids whose stored segment is this one."""
    return [r[0] for r in db.execute("SELECT user_id FROM retention_scores WHERE segment = ? ORDER BY user_id", [segment])]


# --- templates, offers, campaigns -----------------------------------------------------------------

def put_template(db: Any, row: dict) -> int:
    """Insert or replace the template of (key, locale); its id."""
    db.execute(
        "INSERT INTO retention_templates (key, locale, title, body, url, icon) VALUES (:key, :locale, :title, :body, :url, :icon)"
        " ON CONFLICT (key, locale) DO UPDATE SET title = excluded.title, body = excluded.body, url = excluded.url,"
        " icon = excluded.icon",
        row,
    )
    return db.execute("SELECT id FROM retention_templates WHERE key = ? AND locale = ?", [row["key"], row["locale"]]).fetchone()[0]


def templates_for(db: Any, key: str) -> list[dict]:
    """Every locale of one template key."""
    return list(db.query("SELECT * FROM retention_templates WHERE key = ? ORDER BY id", [key]))


def list_templates(db: Any) -> list[dict]:
    """Every template."""
    return list(db.query("SELECT * FROM retention_templates ORDER BY key, locale"))


def delete_template(db: Any, template_id: int) -> bool:
    """Delete one template."""
    return db.execute("DELETE FROM retention_templates WHERE id = ?", [template_id]).rowcount == 1


def add_offer(db: Any, row: dict) -> int:
    """Insert an offer; its id (the code must be new)."""
    cur = db.execute(
        "INSERT INTO retention_offers (code, title, kind, value, currency, min_order, expires_at, segment, budget)"
        " VALUES (:code, :title, :kind, :value, :currency, :min_order, :expires_at, :segment, :budget)",
        row,
    )
    return cur.lastrowid


def offer_code_taken(db: Any, code: str) -> bool:
    """True if an offer already uses this coupon code."""
    return db.execute("SELECT 1 FROM retention_offers WHERE code = ?", [code]).fetchone() is not None


def get_offer(db: Any, offer_id: int) -> dict | None:
    """One offer."""
    return _one(db, "SELECT * FROM retention_offers WHERE id = ?", [offer_id])


def offer_by_code(db: Any, code: str) -> dict | None:
    """The offer with this coupon code."""
    return _one(db, "SELECT * FROM retention_offers WHERE code = ?", [code])


def list_offers(db: Any) -> list[dict]:
    """Every offer."""
    return list(db.query("SELECT * FROM retention_offers ORDER BY id"))


def add_campaign(db: Any, row: dict) -> int:
    """Insert a campaign (variants as JSON); its id."""
    cur = db.execute(
        "INSERT INTO retention_campaigns (name, trigger, segment, active, urgency, ttl, topic, variants)"
        " VALUES (:name, :trigger, :segment, :active, :urgency, :ttl, :topic, :variants)",
        {**row, "variants": json.dumps(row["variants"])},
    )
    return cur.lastrowid


def _campaign(row: dict) -> dict:
    return {**row, "variants": json.loads(row["variants"]), "active": bool(row["active"])}


def get_campaign(db: Any, campaign_id: int) -> dict | None:
    """One campaign."""
    row = _one(db, "SELECT * FROM retention_campaigns WHERE id = ?", [campaign_id])
    return _campaign(row) if row else None


def list_campaigns(db: Any, *, active_only: bool = False) -> list[dict]:
    """Campaigns in id order."""
    where = " WHERE active = 1" if active_only else ""
    return [_campaign(r) for r in db.query(f"SELECT * FROM retention_campaigns{where} ORDER BY id")]


def set_campaign_active(db: Any, campaign_id: int, active: bool) -> bool:
    """Start or stop a campaign."""
    return db.execute("UPDATE retention_campaigns SET active = ? WHERE id = ?", [int(active), campaign_id]).rowcount == 1


# --- messages and outbox --------------------------------------------------------------------------

def message_exists(db: Any, user_id: int, dedupe: str) -> bool:
    """True if this shopper already has a message for this dedupe key."""
    return db.execute("SELECT 1 FROM retention_messages WHERE user_id = ? AND dedupe = ?", [user_id, dedupe]).fetchone() is not None


def pushed_times(db: Any, user_id: int, since: str) -> list[str]:
    """Due times of the shopper's pushed messages from ``since`` on (past and already deferred ones)."""
    return [
        r[0]
        for r in db.execute(
            "SELECT m.due_at FROM retention_messages m WHERE m.user_id = ? AND m.due_at >= ?"
            " AND EXISTS (SELECT 1 FROM push_outbox o WHERE o.message_id = m.id) ORDER BY m.due_at",
            [user_id, since],
        )
    ]


def add_message(db: Any, row: dict) -> int:
    """Insert a message; its id."""
    cur = db.execute(
        "INSERT INTO retention_messages (user_id, trigger, dedupe, campaign_id, variant, offer_id, due_at, created_at)"
        " VALUES (:user_id, :trigger, :dedupe, :campaign_id, :variant, :offer_id, :due_at, :created_at)",
        row,
    )
    return cur.lastrowid


def get_message(db: Any, message_id: int) -> dict | None:
    """One message."""
    return _one(db, "SELECT * FROM retention_messages WHERE id = ?", [message_id])


def enqueue(db: Any, message_id: int, subscription_id: int, payload: bytes, *, topic: str | None, urgency: str, ttl: int, not_before: str) -> None:
    """Queue one delivery of a message to one subscription."""
    db.execute(
        "INSERT OR IGNORE INTO push_outbox (message_id, subscription_id, payload, topic, urgency, ttl, state, not_before)"
        " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
        [message_id, subscription_id, payload, topic, urgency, ttl, not_before],
    )


def mark_lost(db: Any, claimed_before: str) -> int:
    """Claims older than ``claimed_before`` belong to a worker that died: never send them again (at-most-once)."""
    return db.execute(
        "UPDATE push_outbox SET state = 'lost' WHERE state = 'sending' AND claimed_at < ?", [claimed_before]
    ).rowcount


def claim_due(db: Any, now: str, limit: int) -> list[dict]:
    """Mark up to ``limit`` due deliveries 'sending' (inside the caller's transaction) and return them with their keys."""
    rows = list(
        db.query(
            "SELECT o.id, o.message_id, o.payload, o.topic, o.urgency, o.ttl, o.attempts, o.subscription_id,"
            " s.endpoint, s.p256dh, s.auth, s.user_id FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id"
            " WHERE o.state = 'pending' AND o.not_before <= ? ORDER BY o.not_before, o.id LIMIT ?",
            [now, limit],
        )
    )
    ids = [r["id"] for r in rows]
    if ids:
        db.execute(
            f"UPDATE push_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1 WHERE id IN ({_marks(ids)})",
            [now, *ids],
        )
    return rows


def finish(db: Any, outbox_id: int, state: str, status: int | None, now: str, not_before: str | None = None) -> None:
    """Record how a claimed delivery ended: 'accepted', 'gone', 'rejected', 'failed', or back to 'pending' for a retry."""
    if state == "pending":
        db.execute(
            "UPDATE push_outbox SET state = 'pending', status = ?, not_before = ?, claimed_at = NULL WHERE id = ? AND state = 'sending'",
            [status, not_before, outbox_id],
        )
    else:
        db.execute(
            "UPDATE push_outbox SET state = ?, status = ?, sent_at = ? WHERE id = ? AND state = 'sending'",
            [state, status, now, outbox_id],
        )


def outbox_rows(db: Any, message_id: int | None = None) -> list[dict]:
    """Outbox rows (of one message), for tests and the operator."""
    if message_id is None:
        return list(db.query("SELECT * FROM push_outbox ORDER BY id"))
    return list(db.query("SELECT * FROM push_outbox WHERE message_id = ? ORDER BY id", [message_id]))


def pending_count(db: Any, now: str) -> int:
    """Deliveries due now."""
    return db.execute("SELECT count(*) FROM push_outbox WHERE state = 'pending' AND not_before <= ?", [now]).fetchone()[0]


# --- grants, coupons ------------------------------------------------------------------------------

def grant_offer(db: Any, user_id: int, offer_id: int, message_id: int | None, now: str) -> bool:
    """Give a shopper an offer (once); True if it is new."""
    cur = db.execute(
        "INSERT OR IGNORE INTO offer_grants (user_id, offer_id, message_id, granted_at) VALUES (?, ?, ?, ?)",
        [user_id, offer_id, message_id, now],
    )
    return cur.rowcount == 1


def get_grant(db: Any, user_id: int, offer_id: int) -> dict | None:
    """A shopper's grant of an offer."""
    return _one(db, "SELECT * FROM offer_grants WHERE user_id = ? AND offer_id = ?", [user_id, offer_id])


def redeem(db: Any, user_id: int, offer_id: int, order_id: str, discount: int, revenue: int, now: str) -> bool:
    """Spend the budget and mark the shopper's grant redeemed (the caller checked it is unredeemed); False if over budget."""
    spent = db.execute(
        "UPDATE retention_offers SET spent = spent + ?, redemptions = redemptions + 1 WHERE id = ? AND spent + ? <= budget",
        [discount, offer_id, discount],
    )
    if spent.rowcount != 1:
        return False
    db.execute(
        "INSERT INTO offer_grants (user_id, offer_id, granted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [user_id, offer_id, now],
    )
    db.execute(
        "UPDATE offer_grants SET redeemed_at = ?, order_id = ?, discount = ?, revenue = ?"
        " WHERE user_id = ? AND offer_id = ? AND redeemed_at IS NULL",
        [now, order_id, discount, revenue, user_id, offer_id],
    )
    return True


def redeemed_orders(db: Any, user_id: int) -> int:
    """How many of the shopper's orders used a retention offer."""
    return db.execute("SELECT count(*) FROM offer_grants WHERE user_id = ? AND redeemed_at IS NOT NULL", [user_id]).fetchone()[0]


# --- events, views, baselines ---------------------------------------------------------------------

def record_event(db: Any, message_id: int, kind: str, now: str) -> bool:
    """Record a shown/clicked event once per message; True if new."""
    return db.execute(
        "INSERT OR IGNORE INTO retention_events (message_id, kind, at) VALUES (?, ?, ?)", [message_id, kind, now]
    ).rowcount == 1


def add_views(db: Any, user_id: int, day: str, count: int, cap: int) -> None:
    """Count product views per shopper per day (bounded, so a noisy client cannot grow a row without end)."""
    db.execute(
        "INSERT INTO retention_views (user_id, day, views) VALUES (?, ?, min(?, ?))"
        " ON CONFLICT (user_id, day) DO UPDATE SET views = min(views + excluded.views, ?)",
        [user_id, day, count, cap, cap],
    )


def views_since(db: Any, user_ids: list[int], day: str) -> dict[int, int]:
    """Product views per shopper from ``day`` on."""
    if not user_ids:
        return {}
    return {
        r[0]: r[1]
        for r in db.execute(
            f"SELECT user_id, sum(views) FROM retention_views WHERE day >= ? AND user_id IN ({_marks(user_ids)}) GROUP BY user_id",
            [day, *user_ids],
        )
    }


def last_event_at(db: Any, user_ids: list[int]) -> dict[int, str]:
    """Each shopper's latest tracked activity (a view day or a notification event)."""
    if not user_ids:
        return {}
    marks = _marks(user_ids)
    out: dict[int, str] = {}
    for user_id, at in db.execute(
        f"SELECT user_id, max(day) FROM retention_views WHERE user_id IN ({marks}) GROUP BY user_id", user_ids
    ):
        out[user_id] = at
    for user_id, at in db.execute(
        f"SELECT m.user_id, max(e.at) FROM retention_events e JOIN retention_messages m ON m.id = e.message_id"
        f" WHERE e.kind = 'clicked' AND m.user_id IN ({marks}) GROUP BY m.user_id",
        user_ids,
    ):
        if at and (user_id not in out or at > out[user_id]):
            out[user_id] = at
    return out


def price_baselines(db: Any, user_id: int) -> dict[str, int]:
    """Prices retention last saw for the shopper's wishlist items."""
    return {r[0]: r[1] for r in db.execute("SELECT sku, price FROM retention_price_baselines WHERE user_id = ?", [user_id])}


def set_price_baselines(db: Any, user_id: int, prices: dict[str, int]) -> None:
    """Remember current wishlist prices (and forget items no longer wished for)."""
    db.execute("DELETE FROM retention_price_baselines WHERE user_id = ?", [user_id])
    for sku, price in prices.items():
        db.execute("INSERT INTO retention_price_baselines (user_id, sku, price) VALUES (?, ?, ?)", [user_id, sku, price])


# --- report ---------------------------------------------------------------------------------------

def funnel(db: Any) -> list[dict]:
    """Per campaign and variant: messages, sent, accepted, shown, clicked, redeemed (coupon used at checkout)."""
    return list(
        db.query(
            """SELECT m.campaign_id, m.variant, COALESCE(c.name, '(triggers)') AS campaign,
                   count(*) AS messages,
                   sum(EXISTS (SELECT 1 FROM push_outbox o WHERE o.message_id = m.id AND o.attempts > 0)) AS sent,
                   sum(EXISTS (SELECT 1 FROM push_outbox o WHERE o.message_id = m.id AND o.state = 'accepted')) AS accepted,
                   sum(EXISTS (SELECT 1 FROM retention_events e WHERE e.message_id = m.id AND e.kind = 'shown')) AS shown,
                   sum(EXISTS (SELECT 1 FROM retention_events e WHERE e.message_id = m.id AND e.kind = 'clicked')) AS clicked,
                   sum(g.redeemed_at IS NOT NULL) AS redeemed
               FROM retention_messages m
               LEFT JOIN retention_campaigns c ON c.id = m.campaign_id
               LEFT JOIN offer_grants g ON g.message_id = m.id
               GROUP BY m.campaign_id, m.variant ORDER BY m.campaign_id, m.variant"""
        )
    )


# --- shoppers (read from the accounts room's tables) -----------------------------------------------

def shopper_page(db: Any, after: int, limit: int) -> list[dict]:
    """Shoppers after ``after`` in id order, with when any of their devices last used its token (unix seconds)."""
    return list(
        db.query(
            "SELECT u.id, u.created_at, (SELECT max(d.last_used_at) FROM devices d WHERE d.user_id = u.id) AS last_used_at"
            " FROM users u WHERE u.id > ? ORDER BY u.id LIMIT ?",
            [after, limit],
        )
    )


def user_id_by_email(db: Any, email: str) -> int | None:
    """The shopper with this (normalised) email."""
    row = db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
    return row[0] if row else None


def count_shoppers(db: Any) -> int:
    """How many shoppers there are (for progress bars)."""
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def redeemed_grants(db: Any) -> list[dict]:
    """Every redeemed grant with the campaign and variant of the message that brought it."""
    return list(
        db.query(
            "SELECT g.user_id, g.offer_id, COALESCE(m.campaign_id, 0) AS campaign_id, COALESCE(m.variant, '') AS variant"
            " FROM offer_grants g LEFT JOIN retention_messages m ON m.id = g.message_id WHERE g.redeemed_at IS NOT NULL"
        )
    )
