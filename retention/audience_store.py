"""Marketing's SQL about shoppers: profiles (time zone, locale, tier seen), scores and segments, tracked activity."""

from __future__ import annotations

from typing import Any

from accounts import vault

from .store import TIME_ZONE, marks, one


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


# --- scores and segments --------------------------------------------------------------------------

def delete_scores(db: Any, user_id: int) -> None:
    """Forget a shopper's scores and segment (they withdrew consent to analytics, or left)."""
    db.execute("DELETE FROM retention_scores WHERE user_id = ?", [user_id])


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


def segment_counts(db: Any) -> dict[str, int]:
    """How many shoppers are in each segment."""
    return {r["segment"]: r["n"] for r in db.query("SELECT segment, count(*) AS n FROM retention_scores GROUP BY segment")}


# --- activity: product views, notification clicks, wishlist price baselines -----------------------

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
                  "retention_product_views"):
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
