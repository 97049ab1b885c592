"""Marketing's SQL about shoppers: profiles (time zone, locale, tier seen), scores and segments, tracked activity."""

from __future__ import annotations

from typing import Any

from accounts import vault
from clock.rows import one

from .store import TIME_ZONE, marks


def _opened(row: dict | None) -> dict | None:
    if row is not None:
        row["time_zone"] = vault.open_or_plain(TIME_ZONE, row["time_zone"])
    return row


# --- profiles -------------------------------------------------------------------------------------

def get_profile(db: Any, user_id: int) -> dict | None:
    """A shopper's retention profile (time zone, locale, last tier seen)."""
    return _opened(one(db, "SELECT * FROM retention_profiles WHERE user_id = ?", [user_id]))


def get_profiles(db: Any, user_ids: list[int]) -> dict[int, dict]:
    """Profiles keyed by user id."""
    if not user_ids:
        return {}
    rows = db.query(f"SELECT * FROM retention_profiles WHERE user_id IN ({marks(user_ids)})", user_ids)
    return {r["user_id"]: _opened(r) for r in rows}


def upsert_profile(db: Any, user_id: int, now: str, *, time_zone: str | None = None, locale: str | None = None) -> None:
    """Record a shopper's time zone (sealed) and locale (values not given stay as they were)."""
    time_zone = None if time_zone is None else vault.seal(TIME_ZONE, time_zone)
    db.execute(
        "INSERT INTO retention_profiles (user_id, time_zone, locale, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET time_zone = COALESCE(excluded.time_zone, retention_profiles.time_zone),"
        " locale = COALESCE(excluded.locale, retention_profiles.locale), updated_at = excluded.updated_at",
        [user_id, time_zone, locale, now],
    )


def set_tier_seen(db: Any, user_id: int, tier: str, now: str) -> None:
    """Remember the tier retention last saw, so a tier-up fires once."""
    db.execute(
        "INSERT INTO retention_profiles (user_id, tier_seen, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET tier_seen = excluded.tier_seen, updated_at = excluded.updated_at",
        [user_id, tier, now],
    )


# --- scores and segments --------------------------------------------------------------------------

def delete_scores(db: Any, user_id: int) -> None:
    """Forget a shopper's scores and segment (they withdrew consent to analytics, or left)."""
    db.execute("DELETE FROM retention_scores WHERE user_id = ?", [user_id])
    db.execute("DELETE FROM retention_customers WHERE user_id = ?", [user_id])


def save_scores(db: Any, rows: list[dict], now: str) -> None:
    """Replace the stored scores of these shoppers."""
    for row in rows:
        db.execute(
            "INSERT INTO retention_scores (user_id, recency, frequency, monetary, segment,"
            " days_since_activity, orders, revenue, discounted_share, views, computed_at)"
            " VALUES (:user_id, :recency, :frequency, :monetary, :segment, :days_since_activity, :orders,"
            " :revenue, :discounted_share, :views, :computed_at)"
            " ON CONFLICT (user_id) DO UPDATE SET recency = excluded.recency, frequency = excluded.frequency,"
            " monetary = excluded.monetary, segment = excluded.segment,"
            " days_since_activity = excluded.days_since_activity, orders = excluded.orders,"
            " revenue = excluded.revenue, discounted_share = excluded.discounted_share, views = excluded.views,"
            " computed_at = excluded.computed_at",
            {**row, "computed_at": now},
        )


def get_scores(db: Any, user_id: int) -> dict | None:
    """One shopper's stored scores."""
    return one(db, "SELECT * FROM retention_scores WHERE user_id = ?", [user_id])


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


def segment_summary(db: Any) -> list[dict]:
    """Per segment: shoppers, buyers (1+ orders), repeat buyers (2+), orders and revenue."""
    return list(db.query(
        "SELECT segment, count(*) AS shoppers, sum(CASE WHEN orders >= 1 THEN 1 ELSE 0 END) AS buyers,"
        " sum(CASE WHEN orders >= 2 THEN 1 ELSE 0 END) AS repeat_buyers, sum(orders) AS orders,"
        " sum(revenue) AS revenue FROM retention_scores GROUP BY segment ORDER BY segment"))


def segment_counts(db: Any) -> dict[str, int]:
    """How many shoppers are in each segment."""
    return {r["segment"]: r["n"] for r in db.query("SELECT segment, count(*) AS n FROM retention_scores GROUP BY segment")}


# --- activity: product views, notification clicks, wishlist price baselines -----------------------

def add_views(db: Any, user_id: int, day: str, count: int, cap: int) -> None:
    """Count product views per shopper per day (bounded, so a noisy client cannot grow a row without end)."""
    db.execute(
        "INSERT INTO retention_views (user_id, day, views) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id, day) DO UPDATE SET views = CASE WHEN retention_views.views + excluded.views > ?"
        " THEN ? ELSE retention_views.views + excluded.views END",
        [user_id, day, min(count, cap), cap, cap],
    )


def views_since(db: Any, user_ids: list[int], day: str) -> dict[int, int]:
    """Product views per shopper from ``day`` on."""
    if not user_ids:
        return {}
    return {
        r[0]: r[1]
        for r in db.execute(
            f"SELECT user_id, sum(views) FROM retention_views WHERE day >= ? AND user_id IN ({marks(user_ids)}) GROUP BY user_id",
            [day, *user_ids],
        )
    }


def last_event_at(db: Any, user_ids: list[int]) -> dict[int, str]:
    """Each shopper's latest tracked activity (a view day or a notification event)."""
    if not user_ids:
        return {}
    placeholders = marks(user_ids)
    out: dict[int, str] = {}
    for user_id, at in db.execute(
        f"SELECT user_id, max(day) FROM retention_views WHERE user_id IN ({placeholders}) GROUP BY user_id", user_ids
    ):
        out[user_id] = at
    for user_id, at in db.execute(
        f"SELECT m.user_id, max(e.at) FROM retention_events e JOIN retention_messages m ON m.id = e.message_id"
        f" WHERE e.kind = 'clicked' AND m.user_id IN ({placeholders}) GROUP BY m.user_id",
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


def erase_shopper(db: Any, user_id: int) -> None:
    """Forget what marketing knows of a shopper (account deletion): profile, scores, views (per day and per
    product), price baselines.

    Messages, grants and events stay: they hold no personal data and campaign ROI is accounted from them.
    """
    for table in ("retention_profiles", "retention_scores", "retention_views", "retention_price_baselines",
                  "retention_product_views", "retention_customers", "retention_tags"):
        db.execute(f"DELETE FROM {table} WHERE user_id = ?", [user_id])  # noqa: S608 (fixed table names)


# --- browse history per product -------------------------------------------------------------------

def add_product_views(db: Any, user_id: int, day: str, counts: dict[str, int], cap: int) -> None:
    """Count views of each product on ``day`` (each bounded by ``cap``, so a noisy client cannot grow a row)."""
    for sku, count in counts.items():
        db.execute(
            "INSERT INTO retention_product_views (user_id, sku, day, views) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, sku, day) DO UPDATE SET views = CASE"
            " WHEN retention_product_views.views + excluded.views > ? THEN ?"
            " ELSE retention_product_views.views + excluded.views END",
            [user_id, sku, day, min(count, cap), cap, cap],
        )


def insert_product_views(db: Any, rows: list[tuple[int, str, str, int]]) -> None:
    """Bulk-insert (user_id, sku, day, views) rows that do not exist yet (the demo's browse histories)."""
    for row in rows:
        db.execute(
            "INSERT INTO retention_product_views (user_id, sku, day, views) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, sku, day) DO NOTHING",
            list(row),
        )


def insert_daily_views(db: Any, rows: list[tuple[int, str, int]]) -> None:
    """Bulk-insert (user_id, day, views) rows of the daily view counts that do not exist yet."""
    for row in rows:
        db.execute(
            "INSERT INTO retention_views (user_id, day, views) VALUES (?, ?, ?) ON CONFLICT (user_id, day) DO NOTHING",
            list(row),
        )


def product_views_since(db: Any, user_ids: list[int], day: str) -> dict[int, dict[str, int]]:
    """Per shopper: views of each product from ``day`` on."""
    out: dict[int, dict[str, int]] = {u: {} for u in user_ids}
    if not user_ids:
        return out
    for user_id, sku, views in db.execute(
        "SELECT user_id, sku, SUM(views) FROM retention_product_views"
        f" WHERE day >= ? AND user_id IN ({marks(user_ids)}) GROUP BY user_id, sku",
        [day, *user_ids],
    ):
        out[user_id][sku] = views
    return out


def product_view_days(db: Any, since_day: str, *, user_id: int | None = None, limit: int = 500_000) -> list[tuple[int, str, str, int]]:
    """(user_id, sku, day, views) of product views from ``since_day`` on (one shopper's, or everyone's), newest
    day first, at most ``limit`` rows."""
    where = " AND user_id = ?" if user_id is not None else ""
    params: list[Any] = [since_day, *([user_id] if user_id is not None else []), limit]
    return [
        (r[0], r[1], r[2], r[3])
        for r in db.execute(
            f"SELECT user_id, sku, day, views FROM retention_product_views WHERE day >= ?{where}"
            " ORDER BY day DESC, user_id, sku LIMIT ?",
            params,
        )
    ]


# --- customer model and tags ----------------------------------------------------------------------

def save_customer(db: Any, user_id: int, model: str, attributes: str, now: str) -> None:
    """Replace a shopper's stored customer model (JSON) and rule attributes (JSON)."""
    db.execute(
        "INSERT INTO retention_customers (user_id, model, attributes, computed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET model = excluded.model, attributes = excluded.attributes,"
        " computed_at = excluded.computed_at",
        [user_id, model, attributes, now],
    )


def get_customer(db: Any, user_id: int) -> dict | None:
    """One shopper's stored customer model."""
    return one(db, "SELECT * FROM retention_customers WHERE user_id = ?", [user_id])


def customer_attributes(db: Any, after: int, limit: int) -> list[tuple[int, str]]:
    """(user_id, attributes JSON) in user id order after ``after`` (audience previews page through them)."""
    return [tuple(r) for r in db.execute(
        "SELECT user_id, attributes FROM retention_customers WHERE user_id > ? ORDER BY user_id LIMIT ?", [after, limit])]


def add_tag(db: Any, user_id: int, tag: str, now: str) -> bool:
    """An operator's tag on a shopper; False if it was there."""
    return db.execute("INSERT INTO retention_tags (user_id, tag, added_at) VALUES (?, ?, ?)"
                      " ON CONFLICT (user_id, tag) DO NOTHING", [user_id, tag, now]).rowcount == 1


def remove_tag(db: Any, user_id: int, tag: str) -> bool:
    """Remove an operator's tag; False if it was not there."""
    return db.execute("DELETE FROM retention_tags WHERE user_id = ? AND tag = ?", [user_id, tag]).rowcount == 1


def tags_of(db: Any, user_ids: list[int]) -> dict[int, list[str]]:
    """Operator tags per shopper."""
    out: dict[int, list[str]] = {u: [] for u in user_ids}
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        for user_id, tag in db.execute(
                f"SELECT user_id, tag FROM retention_tags WHERE user_id IN ({marks(chunk)}) ORDER BY user_id, tag", chunk):
            out[user_id].append(tag)
    return out
