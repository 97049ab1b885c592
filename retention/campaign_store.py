"""Marketing's SQL about what is sent: templates, offers, campaigns, messages, offer grants, events, the funnel."""

from __future__ import annotations

import json
from datetime import date as date_type
from typing import Any

from clock.rows import column, one


# --- templates ------------------------------------------------------------------------------------

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


# --- offers ---------------------------------------------------------------------------------------

def add_offer(db: Any, row: dict) -> int | None:
    """Insert an offer; its id, or None when its code is taken (whichever process took it first)."""
    found = db.execute(
        "INSERT INTO retention_offers (code, title, kind, value, currency, min_order, expires_at, segment, budget,"
        " steps, bundle, free_shipping) VALUES (:code, :title, :kind, :value, :currency, :min_order, :expires_at,"
        " :segment, :budget, :steps, :bundle, :free_shipping) ON CONFLICT (code) DO NOTHING RETURNING id",
        {"steps": None, "bundle": None, "free_shipping": 0, **row},
    ).fetchone()
    return found[0] if found else None


def get_offer(db: Any, offer_id: int) -> dict | None:
    """One offer."""
    return one(db, "SELECT * FROM retention_offers WHERE id = ?", [offer_id])


def offer_by_code(db: Any, code: str) -> dict | None:
    """The offer with this coupon code."""
    return one(db, "SELECT * FROM retention_offers WHERE code = ?", [code])


def list_offers(db: Any) -> list[dict]:
    """Every offer."""
    return list(db.query("SELECT * FROM retention_offers ORDER BY id"))


# --- campaigns ------------------------------------------------------------------------------------

def add_campaign(db: Any, row: dict) -> int:
    """Insert a campaign (variants as JSON); its id."""
    cur = db.execute(
        "INSERT INTO retention_campaigns (name, trigger, segment, active, urgency, ttl, topic, variants, holdout,"
        " conditions, holiday) VALUES (:name, :trigger, :segment, :active, :urgency, :ttl, :topic, :variants, :holdout,"
        " :conditions, :holiday) RETURNING id",
        {"holdout": 0, "conditions": None, "holiday": None, **row, "active": int(bool(row["active"])),
         "variants": json.dumps(row["variants"])},
    )
    return cur.fetchone()[0]


def _campaign(row: dict) -> dict:
    return {**row, "variants": json.loads(row["variants"]), "active": bool(row["active"])}


def get_campaign(db: Any, campaign_id: int) -> dict | None:
    """One campaign."""
    row = one(db, "SELECT * FROM retention_campaigns WHERE id = ?", [campaign_id])
    return _campaign(row) if row else None


def list_campaigns(db: Any, *, active_only: bool = False) -> list[dict]:
    """Campaigns in id order."""
    where = " WHERE active = 1" if active_only else ""
    return [_campaign(r) for r in db.query(f"SELECT * FROM retention_campaigns{where} ORDER BY id")]


def set_campaign_active(db: Any, campaign_id: int, active: bool) -> bool:
    """Start or stop a campaign."""
    return db.execute("UPDATE retention_campaigns SET active = ? WHERE id = ?", [int(active), campaign_id]).rowcount == 1


# --- holiday calendar ----------------------------------------------------------------------------

def put_holiday(db: Any, key: str, name: str, date: str, lead_days: int) -> None:
    """Create or replace one date of the holiday calendar."""
    db.execute(
        "INSERT INTO retention_holidays (key, name, date, lead_days) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
        " SET name = excluded.name, date = excluded.date, lead_days = excluded.lead_days",
        [key, name, date, lead_days],
    )


def add_holiday(db: Any, key: str, name: str, date: str, lead_days: int) -> bool:
    """Add one date to the calendar unless the key is there already; whether it was added."""
    return db.execute(
        "INSERT INTO retention_holidays (key, name, date, lead_days) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        [key, name, date, lead_days],
    ).rowcount == 1


def delete_holiday(db: Any, key: str) -> bool:
    """Remove a holiday; False if there was none."""
    return db.execute("DELETE FROM retention_holidays WHERE key = ?", [key]).rowcount == 1


def list_holidays(db: Any) -> list[dict]:
    """The calendar in date order."""
    return list(db.query("SELECT * FROM retention_holidays ORDER BY date, key"))


def holidays(db: Any) -> list[dict]:
    """The calendar as the holiday trigger reads it (dates as ``datetime.date``)."""
    return [{**r, "date": date_type.fromisoformat(r["date"])} for r in list_holidays(db)]


# --- messages -------------------------------------------------------------------------------------

def message_exists(db: Any, user_id: int, dedupe: str) -> bool:
    """True if this shopper already has a message for this dedupe key."""
    return db.execute("SELECT 1 FROM retention_messages WHERE user_id = ? AND dedupe = ?", [user_id, dedupe]).fetchone() is not None


def sent_times(db: Any, user_id: int, since: str) -> list[str]:
    """Due times of the shopper's messages from ``since`` on that went (or wait to go) by push or by email, past
    and already deferred ones: the frequency caps count both channels as one, and a message on both once."""
    return column(
        db,
        "SELECT m.due_at FROM retention_messages m WHERE m.user_id = ? AND m.due_at >= ?"
        " AND (EXISTS (SELECT 1 FROM push_outbox o WHERE o.message_id = m.id)"
        " OR EXISTS (SELECT 1 FROM email_outbox e WHERE e.message_id = m.id)) ORDER BY m.due_at",
        [user_id, since],
    )


def add_message(db: Any, row: dict) -> int:
    """Insert a message (``deferred_by``: why it waits, schedule.CAPS / QUIET_HOURS, or absent); its id."""
    return db.execute(
        "INSERT INTO retention_messages (user_id, trigger, dedupe, campaign_id, variant, offer_id, due_at, created_at,"
        " deferred_by) VALUES (:user_id, :trigger, :dedupe, :campaign_id, :variant, :offer_id, :due_at, :created_at,"
        " :deferred_by) RETURNING id",
        {"deferred_by": None} | row,
    ).fetchone()[0]


def get_message(db: Any, message_id: int) -> dict | None:
    """One message."""
    return one(db, "SELECT * FROM retention_messages WHERE id = ?", [message_id])


# --- grants and redemptions -----------------------------------------------------------------------

def grant_offer(db: Any, user_id: int, offer_id: int, message_id: int | None, now: str) -> bool:
    """Give a shopper an offer (once); True if it is new."""
    cur = db.execute(
        "INSERT INTO offer_grants (user_id, offer_id, message_id, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [user_id, offer_id, message_id, now],
    )
    return cur.rowcount == 1


def get_grant(db: Any, user_id: int, offer_id: int) -> dict | None:
    """A shopper's grant of an offer."""
    return one(db, "SELECT * FROM offer_grants WHERE user_id = ? AND offer_id = ?", [user_id, offer_id])


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


def redeemed_grants(db: Any) -> list[dict]:
    """Every redeemed grant a message brought, with that message's campaign and variant (a code used without a
    message, typed in or given by hand, is no campaign's result: the funnel does not count it either)."""
    return list(
        db.query(
            "SELECT g.user_id, g.offer_id, m.campaign_id, m.variant"
            " FROM offer_grants g JOIN retention_messages m ON m.id = g.message_id WHERE g.redeemed_at IS NOT NULL"
        )
    )


# --- events and the funnel ------------------------------------------------------------------------

def record_event(db: Any, message_id: int, kind: str, now: str) -> bool:
    """Record a shown/clicked event once per message; True if new."""
    return db.execute(
        "INSERT INTO retention_events (message_id, kind, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [message_id, kind, now]
    ).rowcount == 1


def campaign_messages(db: Any) -> list[dict]:
    """Every campaign message (holdout ones too): who, which arm, when; for conversion within the attribution window."""
    return list(db.query(
        "SELECT user_id, campaign_id, variant, created_at FROM retention_messages WHERE campaign_id != 0"
        " ORDER BY campaign_id, variant, user_id"))


def funnel(db: Any) -> list[dict]:
    """Per campaign and variant: messages, sent, accepted (a push service took it, or the SMTP server took its email),
    shown, clicked, redeemed (coupon used at checkout)."""
    return list(
        db.query(
            """SELECT m.campaign_id, m.variant, COALESCE(c.name, '(triggers)') AS campaign,
                   count(*) AS messages,
                   sum(CASE WHEN EXISTS (SELECT 1 FROM push_outbox o WHERE o.message_id = m.id AND o.attempts > 0)
                       OR EXISTS (SELECT 1 FROM email_outbox e WHERE e.message_id = m.id AND e.attempts > 0)
                       THEN 1 ELSE 0 END) AS sent,
                   sum(CASE WHEN EXISTS (SELECT 1 FROM push_outbox o WHERE o.message_id = m.id AND o.state = 'accepted')
                       OR EXISTS (SELECT 1 FROM email_outbox e WHERE e.message_id = m.id AND e.state = 'sent')
                       THEN 1 ELSE 0 END) AS accepted,
                   sum(CASE WHEN EXISTS (SELECT 1 FROM retention_events e WHERE e.message_id = m.id AND e.kind = 'shown')
                       THEN 1 ELSE 0 END) AS shown,
                   sum(CASE WHEN EXISTS (SELECT 1 FROM retention_events e WHERE e.message_id = m.id AND e.kind = 'clicked')
                       THEN 1 ELSE 0 END) AS clicked,
                   sum(CASE WHEN g.redeemed_at IS NOT NULL THEN 1 ELSE 0 END) AS redeemed
               FROM retention_messages m
               LEFT JOIN retention_campaigns c ON c.id = m.campaign_id
               LEFT JOIN offer_grants g ON g.message_id = m.id
               GROUP BY m.campaign_id, m.variant, c.name ORDER BY m.campaign_id, m.variant"""
        )
    )
