"""SQL of the accounts room: users, devices (one hashed token each), TOTP steps used, login attempts, tickets.

Emails and TOTP secrets are sealed by the vault on the way in and opened on the way out, so the rest of
the room sees plain values; an email is found by its blind index (accounts/vault.py).
"""

from __future__ import annotations

from typing import Any

from clock.rows import column, one

from . import vault
from .sealed_store import SealedColumn

EMAIL = "email"
TOTP = "totp"

DOMAIN = "accounts"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "users and devices",
        [
            """CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,          -- normalised (accounts.emails)
                password_hash TEXT NOT NULL,         -- scrypt$n$r$p$salt$hash
                created_at INTEGER NOT NULL,         -- unix seconds
                totp_secret BLOB,                    -- set by enrol; in force once totp_enabled = 1
                totp_enabled INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE devices (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,     -- sha256 of the bearer token; the token is never stored
                created_at INTEGER NOT NULL,
                last_used_at INTEGER NOT NULL
            )""",
            "CREATE INDEX devices_user ON devices (user_id)",
            """CREATE TABLE totp_used_steps (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                PRIMARY KEY (user_id, step)
            ) WITHOUT ROWID""",
            """CREATE TABLE login_attempts (
                id INTEGER PRIMARY KEY,
                key_hash TEXT NOT NULL,              -- keyed blind index of 'account:<email>' or 'address:<ip>'
                at REAL NOT NULL
            )""",
            "CREATE INDEX login_attempts_key_at ON login_attempts (key_hash, at)",
            """CREATE TABLE stream_tickets (
                ticket_hash TEXT PRIMARY KEY,
                device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID""",
        ],
    ),
    (
        2,
        "emails and TOTP secrets sealed, emails found by blind index",
        [
            # users.email now holds the sealed address, email_index its HMAC (vault.blind_index);
            # totp_sealed the sealed TOTP secret (totp_secret is left NULL).
            "ALTER TABLE users ADD COLUMN email_index TEXT",
            "ALTER TABLE users ADD COLUMN totp_sealed TEXT",
            "CREATE UNIQUE INDEX users_email_index ON users (email_index)",
            lambda db: seal_plain_users(db),
        ],
    ),
    (
        3,
        "reveals of personal data to operators are audited",
        [
            """CREATE TABLE personal_data_reveals (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,                 -- unix seconds
                role TEXT NOT NULL,                  -- the operator's role
                operator TEXT NOT NULL,              -- who (an operator id, or 'admin-token')
                route TEXT NOT NULL,                 -- what answered, e.g. GET /api/admin/retention/scores
                user_id INTEGER NOT NULL             -- whose data was shown unmasked
            )""",
            "CREATE INDEX personal_data_reveals_user ON personal_data_reveals (user_id, at)",
        ],
    ),
    (
        4,
        "consents per purpose",
        [
            """CREATE TABLE consents (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                purpose TEXT NOT NULL,               -- accounts.consents.PURPOSES
                granted INTEGER NOT NULL,            -- 1 agreed, 0 withdrawn (no row: never asked, so no)
                at INTEGER NOT NULL,                 -- unix ms of the decision
                PRIMARY KEY (user_id, purpose)
            ) WITHOUT ROWID""",
            "CREATE INDEX consents_purpose ON consents (purpose, granted, user_id)",
        ],
    ),
    (
        5,
        "erased accounts",
        ["ALTER TABLE users ADD COLUMN erased_at INTEGER"],  # unix seconds; the row stays for orders' accounting
    ),
    (
        6,
        "device activity by day",
        [
            # One row per device and UTC day it was used on: the dashboard's daily active shoppers and devices.
            """CREATE TABLE device_days (
                day INTEGER NOT NULL,                -- unix seconds // 86400
                device_id INTEGER NOT NULL,
                user_id INTEGER NOT NULL,
                PRIMARY KEY (day, device_id)
            )""",
            "CREATE INDEX device_days_user ON device_days (user_id)",
        ],
    ),
]


SEALED = (
    SealedColumn("users", ("id",), "email", EMAIL, index_column="email_index", index_kind=EMAIL),
    SealedColumn("users", ("id",), "totp_sealed", TOTP),
)
"""The sealed columns of this room (`lastmile keys rotate` re-seals them)."""


def _open_user(row: dict | None) -> dict | None:
    if row is None:
        return None
    row["email"] = vault.unseal_text(EMAIL, row["email"])
    sealed = row.pop("totp_sealed")
    row["totp_secret"] = None if sealed is None else vault.unseal(TOTP, sealed)
    return row


def _sealed_secret(secret: bytes | None) -> str | None:
    return None if secret is None else vault.seal(TOTP, secret)


def seal_plain_users(db: Any) -> int:
    """Seal the emails and TOTP secrets of users stored before encryption at rest (migration 2); how many.

    Such rows are the ones without a blind index: every user written since has one.
    """
    rows = list(db.query("SELECT id, email, totp_secret FROM users WHERE email_index IS NULL"))
    for row in rows:
        secret = row["totp_secret"]
        db.execute(
            "UPDATE users SET email = ?, email_index = ?, totp_sealed = ?, totp_secret = NULL WHERE id = ?",
            [vault.seal(EMAIL, row["email"]), vault.blind_index(EMAIL, row["email"]), _sealed_secret(secret), row["id"]],
        )
    return len(rows)


def create_user(db: Any, email: str, password_hash: str, now: int) -> int | None:
    """A new user's id for a normalised email, or None when the email is taken (under any readable key)."""
    if user_id_by_email(db, email) is not None:
        return None
    row = db.execute(
        "INSERT INTO users (email, email_index, password_hash, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (email_index) DO NOTHING RETURNING id",
        [vault.seal(EMAIL, email), vault.blind_index(EMAIL, email), password_hash, now],
    ).fetchone()
    return row[0] if row else None


def user_id_by_email(db: Any, email: str) -> int | None:
    """The id of the user with this normalised email."""
    indexes = vault.blind_indexes(EMAIL, email)
    marks = ",".join("?" for _ in indexes)
    row = db.execute(f"SELECT id FROM users WHERE email_index IN ({marks})", indexes).fetchone()
    return row[0] if row else None


def user_by_email(db: Any, email: str) -> dict | None:
    """The user row (email and TOTP secret opened) for a normalised email."""
    user_id = user_id_by_email(db, email)
    return None if user_id is None else user_by_id(db, user_id)


def user_by_id(db: Any, user_id: int) -> dict | None:
    """The user row, email and TOTP secret opened."""
    return _open_user(one(db, "SELECT * FROM users WHERE id = ?", [user_id]))


def users_page(db: Any, after: int, limit: int) -> list[dict]:
    """Users after ``after`` in id order: id, created_at, and when any of their devices last used its token."""
    return list(
        db.query(
            "SELECT u.id, u.created_at, (SELECT max(d.last_used_at) FROM devices d WHERE d.user_id = u.id) AS last_used_at"
            " FROM users u WHERE u.id > ? ORDER BY u.id LIMIT ?",
            [after, limit],
        )
    )


def count_users(db: Any) -> int:
    """How many users there are."""
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def emails_of(db: Any, user_ids: list[int]) -> dict[int, str]:
    """The (opened) emails of these users that exist."""
    if not user_ids:
        return {}
    marks = ",".join("?" for _ in user_ids)
    rows = db.execute(f"SELECT id, email FROM users WHERE id IN ({marks}) AND email_index IS NOT NULL", user_ids)
    return {uid: vault.unseal_text(EMAIL, email) for uid, email in rows.fetchall()}


def add_reveals(db: Any, at: int, role: str, operator: str, route: str, user_ids: list[int]) -> None:
    """Audit that these users' personal data was shown unmasked to an operator."""
    for user_id in user_ids:
        db.execute(
            "INSERT INTO personal_data_reveals (at, role, operator, route, user_id) VALUES (?, ?, ?, ?, ?)",
            [at, role, operator, route, user_id],
        )


def reveals_of(db: Any, user_id: int) -> list[dict]:
    """The audited reveals of one user's data, oldest first."""
    return list(db.query(
        "SELECT at, role, operator, route FROM personal_data_reveals WHERE user_id = ? ORDER BY id", [user_id]))


def set_consent(db: Any, user_id: int, purpose: str, granted: bool, at: int) -> None:
    """Record the shopper's latest decision for a purpose."""
    db.execute(
        "INSERT INTO consents (user_id, purpose, granted, at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id, purpose) DO UPDATE SET granted = excluded.granted, at = excluded.at",
        [user_id, purpose, int(granted), at],
    )


def consents_of(db: Any, user_id: int) -> dict[str, tuple[bool, int]]:
    """{purpose: (granted, at ms)} of one shopper."""
    rows = db.execute("SELECT purpose, granted, at FROM consents WHERE user_id = ?", [user_id]).fetchall()
    return {purpose: (bool(granted), at) for purpose, granted, at in rows}


def consenting(db: Any, user_ids: list[int], purpose: str) -> set[int]:
    """Those of ``user_ids`` who agreed to ``purpose``."""
    if not user_ids:
        return set()
    marks = ",".join("?" for _ in user_ids)
    rows = db.execute(
        f"SELECT user_id FROM consents WHERE purpose = ? AND granted = 1 AND user_id IN ({marks})", [purpose, *user_ids]
    )
    return {r[0] for r in rows.fetchall()}


def erase_user(db: Any, user_id: int, now: int) -> bool:
    """Erase a user's personal data, keeping an anonymous row for what accounting keeps (orders, points);
    their devices (and so tokens, tickets, push subscriptions tied to them) and consents go. False if none."""
    erased = db.execute(
        "UPDATE users SET email = ?, email_index = NULL, password_hash = '!erased', totp_sealed = NULL,"
        " totp_secret = NULL, totp_enabled = 0, erased_at = ? WHERE id = ? AND erased_at IS NULL",
        [vault.seal(EMAIL, f"erased-{user_id}@erased.invalid"), now, user_id],
    ).rowcount
    if erased:
        for sql in ("DELETE FROM devices WHERE user_id = ?", "DELETE FROM consents WHERE user_id = ?",
                    "DELETE FROM totp_used_steps WHERE user_id = ?", "DELETE FROM device_days WHERE user_id = ?"):
            db.execute(sql, [user_id])
    return erased == 1


def hold_active(db: Any, user_id: int) -> bool:
    """Lock the user's row until the transaction ends if the account is not erased; False if it is (or is gone).

    An erasure committed first is seen here; one coming later waits for this transaction, then removes the devices
    it wrote.
    """
    return db.execute("UPDATE users SET erased_at = NULL WHERE id = ? AND erased_at IS NULL", [user_id]).rowcount == 1


def set_password_hash(db: Any, user_id: int, password_hash: str) -> None:
    """Replace the stored hash (rehash on login after the cost changed)."""
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])


def set_totp(db: Any, user_id: int, secret: bytes | None, enabled: bool) -> None:
    """Store a TOTP secret (sealed) and whether it is in force."""
    db.execute(
        "UPDATE users SET totp_sealed = ?, totp_enabled = ? WHERE id = ?", [_sealed_secret(secret), int(enabled), user_id]
    )


def use_totp_step(db: Any, user_id: int, step: int) -> bool:
    """Record a step as used; False when it had been used already (a code is never taken twice)."""
    cur = db.execute("INSERT INTO totp_used_steps (user_id, step) VALUES (?, ?) ON CONFLICT DO NOTHING", [user_id, step])
    db.execute("DELETE FROM totp_used_steps WHERE user_id = ? AND step < ?", [user_id, step - 10])
    return cur.rowcount == 1


def create_device(db: Any, user_id: int, name: str, token_hash: str, now: int) -> int:
    """A new device holding a token; its id."""
    return db.execute(
        "INSERT INTO devices (user_id, name, token_hash, created_at, last_used_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        [user_id, name, token_hash, now, now],
    ).fetchone()[0]


def note_active_day(db: Any, user_id: int, device_id: int, now: int) -> None:
    """Record that the device was used on the UTC day of ``now`` (once per day)."""
    db.execute("INSERT INTO device_days (day, device_id, user_id) VALUES (?, ?, ?) ON CONFLICT (day, device_id) DO NOTHING",
               [now // 86_400, device_id, user_id])


def active_days_of(db: Any, user_id: int) -> list[int]:
    """The UTC days (unix days) on which any of the user's devices was used, oldest first."""
    return column(db, "SELECT DISTINCT day FROM device_days WHERE user_id = ? ORDER BY day", [user_id])


def prune_active_days(db: Any, before_day: int) -> int:
    """Forget device activity before ``before_day`` (unix days); how many rows."""
    return db.execute("DELETE FROM device_days WHERE day < ?", [before_day]).rowcount


def device_by_token_hash(db: Any, token_hash: str) -> dict | None:
    """The device holding this token."""
    return one(db, "SELECT id, user_id, created_at, last_used_at FROM devices WHERE token_hash = ?", [token_hash])


def device_exists(db: Any, device_id: int) -> bool:
    """True while the device (and so its token) has not been revoked."""
    return one(db, "SELECT 1 AS x FROM devices WHERE id = ?", [device_id]) is not None


def touch_device(db: Any, device_id: int, now: int) -> None:
    """Record use of the device's token (inactivity expiry counts from here)."""
    db.execute("UPDATE devices SET last_used_at = ? WHERE id = ?", [now, device_id])


def list_devices(db: Any, user_id: int) -> list[dict]:
    """The user's devices, newest first."""
    return list(
        db.query(
            "SELECT id, name, created_at, last_used_at FROM devices WHERE user_id = ? ORDER BY id DESC", [user_id]
        )
    )


def delete_device(db: Any, user_id: int, device_id: int) -> bool:
    """Revoke one of the user's devices; False when the user has no such device."""
    cur = db.execute("DELETE FROM devices WHERE id = ? AND user_id = ?", [device_id, user_id])
    return cur.rowcount == 1


def delete_expired_devices(db: Any, idle_before: int, created_before: int) -> int:
    """Drop devices whose tokens expired by inactivity or by age; how many."""
    cur = db.execute(
        "DELETE FROM devices WHERE last_used_at < ? OR created_at < ?", [idle_before, created_before]
    )
    return cur.rowcount


def count_attempts(db: Any, key_hash: str, since: float) -> tuple[int, float | None]:
    """Attempts under this key since ``since`` and the oldest of them."""
    row = one(
        db, "SELECT count(*) AS n, min(at) AS oldest FROM login_attempts WHERE key_hash = ? AND at >= ?", [key_hash, since]
    )
    assert row is not None
    return row["n"], row["oldest"]


def add_attempt(db: Any, key_hash: str, at: float) -> int:
    """Record one attempt under a key; its id."""
    return db.execute("INSERT INTO login_attempts (key_hash, at) VALUES (?, ?) RETURNING id", [key_hash, at]).fetchone()[0]


def remove_attempts(db: Any, ids: list[int]) -> None:
    """Withdraw attempts recorded before their outcome was known (a success, a refusal that is not a guess)."""
    for attempt_id in ids:
        db.execute("DELETE FROM login_attempts WHERE id = ?", [attempt_id])


def prune_attempts(db: Any, before: float) -> None:
    """Forget attempts older than the window."""
    db.execute("DELETE FROM login_attempts WHERE at < ?", [before])


def add_ticket(db: Any, ticket_hash: str, device_id: int, expires_at: int) -> None:
    """Store a stream ticket (hashed) for a device."""
    db.execute("DELETE FROM stream_tickets WHERE expires_at < ?", [expires_at - 3600])
    db.execute(
        "INSERT INTO stream_tickets (ticket_hash, device_id, expires_at) VALUES (?, ?, ?)",
        [ticket_hash, device_id, expires_at],
    )


def ticket(db: Any, ticket_hash: str) -> dict | None:
    """The ticket's device, user and expiry."""
    return one(
        db,
        "SELECT t.device_id, t.expires_at, d.user_id FROM stream_tickets t JOIN devices d ON d.id = t.device_id"
        " WHERE t.ticket_hash = ?",
        [ticket_hash],
    )


def is_erased(db: Any, user_id: int) -> bool:
    """Whether this account was erased."""
    return db.execute("SELECT 1 FROM users WHERE id = ? AND erased_at IS NOT NULL", [user_id]).fetchone() is not None


def erased_user_ids(db: Any) -> set[int]:
    """Every erased account (their synced view is gone; orders and points stay, anonymous)."""
    return {r[0] for r in db.execute("SELECT id FROM users WHERE erased_at IS NOT NULL").fetchall()}
