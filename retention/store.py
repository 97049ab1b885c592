"""The retention room's schema (one migration history for all its tables) and the row helpers its store modules share.

The SQL is split by concern: ``push_store`` (subscriptions, outbox: push delivery), ``audience_store`` (profiles,
scores, tracked activity) and ``campaign_store`` (templates, offers, campaigns, messages, grants, events).
"""

from __future__ import annotations

from typing import Any

from accounts.sealed_store import SealedColumn, sealing_migration

DOMAIN = "retention"
ENDPOINT = "push.endpoint"
PUSH_KEY = "push.key"
TIME_ZONE = "time_zone"

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
        "push endpoints, keys and time zones sealed",
        [
            # endpoint now holds the sealed URL (unique by chance only); endpoint_index its HMAC, the real key.
            "ALTER TABLE push_subscriptions ADD COLUMN endpoint_index TEXT",
            "CREATE UNIQUE INDEX push_subscriptions_endpoint_index ON push_subscriptions (endpoint_index)",
            sealing_migration(lambda: SEALED),
        ],
    ),
    (
        3,
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
    (
        4,
        "campaign holdouts",
        [
            # Share of a campaign's audience (in percent) that receives nothing: the baseline its lift is measured on.
            "ALTER TABLE retention_campaigns ADD COLUMN holdout INTEGER NOT NULL DEFAULT 0",
        ],
    ),
    (
        5,
        "customer model, tags, audience rules, holiday calendar, catalog watch",
        [
            """CREATE TABLE retention_customers (
                user_id INTEGER PRIMARY KEY,
                model TEXT NOT NULL,             -- JSON: customers.CustomerModel
                attributes TEXT NOT NULL,        -- JSON: what audience rules test
                computed_at TEXT NOT NULL
            )""",
            """CREATE TABLE retention_tags (
                user_id INTEGER NOT NULL,
                tag TEXT NOT NULL,
                added_at TEXT NOT NULL,
                PRIMARY KEY (user_id, tag)
            )""",
            """CREATE TABLE retention_holidays (
                key TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                date TEXT NOT NULL,              -- YYYY-MM-DD, local to each shopper
                lead_days INTEGER NOT NULL
            )""",
            """CREATE TABLE retention_catalog_watch (
                sku TEXT PRIMARY KEY,
                category TEXT NOT NULL,
                first_seen_at TEXT NOT NULL,
                in_stock INTEGER NOT NULL,
                restocked_at TEXT
            )""",
            "ALTER TABLE retention_campaigns ADD COLUMN conditions TEXT",  # JSON: rules.Condition
        ],
    ),
    (
        6,
        "tiered and bundle offers",
        [
            # JSON [[spend, save], ...] ascending: the best step the subtotal reaches applies (value = the top saving).
            "ALTER TABLE retention_offers ADD COLUMN steps TEXT",
            # JSON [sku, ...]: all of them in the cart; value comes off each complete set.
            "ALTER TABLE retention_offers ADD COLUMN bundle TEXT",
        ],
    ),
    (
        7,
        "why a push waits, how often it was throttled",
        [
            # schedule.CAPS or schedule.QUIET_HOURS, recorded when the message is planned; NULL: sent at once (or
            # planned before this migration).
            "ALTER TABLE retention_messages ADD COLUMN deferred_by TEXT",
            # 429 answers a delivery met (push_store.finish): throttled deliveries, whatever came after.
            "ALTER TABLE push_outbox ADD COLUMN throttled INTEGER NOT NULL DEFAULT 0",
        ],
    ),
    (
        8,
        "email outbox",
        [
            # One row per message sent by email (push's fallback). The address is not here: it is unsealed from
            # users at send time only. State moves like push_outbox's: pending -> sending -> sent/rejected/failed,
            # lost (a claim whose runner died) or dropped (consent withdrawn before it went out).
            """CREATE TABLE email_outbox (
                id INTEGER PRIMARY KEY,
                message_id INTEGER NOT NULL UNIQUE REFERENCES retention_messages (id),
                user_id INTEGER NOT NULL,
                locale TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                unsubscribe_url TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                not_before TEXT NOT NULL,
                claimed_at TEXT,
                sent_at TEXT,
                status INTEGER
            )""",
            "CREATE INDEX email_outbox_due ON email_outbox (state, not_before)",
        ],
    ),
    (
        9,
        "free-shipping offers",
        [
            # 1: the offer pays the delivery fee, up to value (kind stays 'amount': the column's CHECK predates it,
            # and SQLite cannot change a CHECK without rebuilding a table other tables reference).
            "ALTER TABLE retention_offers ADD COLUMN free_shipping INTEGER NOT NULL DEFAULT 0",
        ],
    ),
    (
        10,
        "html emails",
        [
            # The HTML alternative of `body` (email_html.py); NULL for emails queued before it: sent as plain text.
            "ALTER TABLE email_outbox ADD COLUMN html TEXT",
        ],
    ),
    (
        11,
        "holiday campaigns",
        [
            # The holiday calendar key a `holiday` campaign is for; NULL: every holiday.
            "ALTER TABLE retention_campaigns ADD COLUMN holiday TEXT",
        ],
    ),
]


SEALED = (
    SealedColumn("push_subscriptions", ("id",), "endpoint", ENDPOINT, index_column="endpoint_index", index_kind=ENDPOINT),
    SealedColumn("push_subscriptions", ("id",), "p256dh", PUSH_KEY),
    SealedColumn("push_subscriptions", ("id",), "auth", PUSH_KEY),
    SealedColumn("retention_profiles", ("user_id",), "time_zone", TIME_ZONE),
)
"""The sealed columns of this room (`lastmile keys rotate` re-seals them)."""


def marks(values: list) -> str:
    """``?`` placeholders for an IN list of these values."""
    return ",".join("?" for _ in values)
