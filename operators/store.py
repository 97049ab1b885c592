"""SQL of the operators room: operators, their TOTP steps, API tokens, console sessions, sign-in attempts, audit log.

Operator emails and TOTP secrets, and the audit log's who and target (which hold emails), are sealed by the vault
on the way in and opened on the way out, so the rest of the room sees plain values; an operator's email is found
by its blind index (accounts/vault.py), as shoppers' are.
"""

from __future__ import annotations

from typing import Any

from accounts import vault
from accounts.sealed_store import SealedColumn, reseal_all
from clock.rows import one

DOMAIN = "operators"

# Kinds of their own: an operator who is also a shopper gets unrelated ciphertexts and blind indexes.
EMAIL = "operator-email"
TOTP = "operator-totp"
AUDIT = "audit"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "operators, tokens, sessions, audit log",
        [
            """CREATE TABLE operators (
                id INTEGER PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,          -- normalised (accounts.emails)
                role TEXT NOT NULL,                  -- operators.roles.Role
                password_hash TEXT NOT NULL,         -- scrypt$n$r$p$salt$hash
                totp_secret BLOB NOT NULL,           -- TOTP is always on for operators
                disabled INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,         -- unix seconds
                last_sign_in_at INTEGER
            )""",
            """CREATE TABLE operator_totp_steps (
                operator_id INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                PRIMARY KEY (operator_id, step)
            ) WITHOUT ROWID""",
            """CREATE TABLE operator_tokens (
                id INTEGER PRIMARY KEY,
                operator_id INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,     -- sha256 of the bearer token; the token is never stored
                created_at INTEGER NOT NULL,
                last_used_at INTEGER NOT NULL
            )""",
            "CREATE INDEX operator_tokens_operator ON operator_tokens (operator_id)",
            """CREATE TABLE operator_sessions (
                id INTEGER PRIMARY KEY,
                operator_id INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
                session_hash TEXT NOT NULL UNIQUE,   -- sha256 of the cookie value
                csrf_token TEXT NOT NULL,            -- random, echoed in every form of the session
                created_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL
            )""",
            "CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id)",
            """CREATE TABLE operator_signin_attempts (
                id INTEGER PRIMARY KEY,
                key_hash TEXT NOT NULL,              -- keyed blind index of 'account:<email>' or 'address:<ip>'
                at REAL NOT NULL
            )""",
            "CREATE INDEX operator_signin_attempts_key_at ON operator_signin_attempts (key_hash, at)",
            """CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,                 -- unix seconds
                operator_id INTEGER REFERENCES operators (id) ON DELETE SET NULL,
                actor TEXT NOT NULL,                 -- the operator's email then, or LASTMILE_ADMIN_TOKEN / cli
                role TEXT NOT NULL,
                action TEXT NOT NULL,                -- e.g. 'signin', 'order.status', 'POST /api/admin/rewards'
                target TEXT NOT NULL DEFAULT '',
                detail TEXT NOT NULL DEFAULT '',     -- never personal data of shoppers
                address TEXT NOT NULL DEFAULT '',
                status INTEGER NOT NULL DEFAULT 0    -- HTTP status of the write, 0 when not over HTTP
            )""",
            "CREATE INDEX audit_log_at ON audit_log (at)",
        ],
    ),
    (
        2,
        "console jobs",
        [
            """CREATE TABLE console_jobs (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,                  -- 'catalog-import'
                operator_id INTEGER REFERENCES operators (id) ON DELETE SET NULL,
                state TEXT NOT NULL,                 -- 'running', 'done', 'failed'
                step TEXT NOT NULL DEFAULT '',       -- 'images', 'products'
                done INTEGER NOT NULL DEFAULT 0,
                total INTEGER NOT NULL DEFAULT 0,
                result TEXT NOT NULL DEFAULT '',     -- JSON summary once finished
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            )""",
        ],
    ),
    (
        3,
        "operator emails and TOTP secrets sealed, emails found by blind index; audit who/target sealed",
        [
            # operators.email now holds the sealed address, email_index its HMAC (vault.blind_index); totp_sealed
            # the sealed TOTP secret (totp_secret, NOT NULL since migration 1, is left as an empty blob).
            # audit_log.actor and .target hold sealed text (they name operators by email).
            "ALTER TABLE operators ADD COLUMN email_index TEXT",
            "ALTER TABLE operators ADD COLUMN totp_sealed TEXT",
            "CREATE UNIQUE INDEX operators_email_index ON operators (email_index)",
            lambda db: seal_plain_operators(db),
        ],
    ),
    (
        4,
        "audit log addresses sealed",
        [
            # audit_log.address holds sealed text: a client's IP address is personal data.
            lambda db: seal_audit_addresses(db),
        ],
    ),
]


AUDIT_ADDRESS = SealedColumn("audit_log", ("id",), "address", AUDIT)
SEALED = (
    SealedColumn("operators", ("id",), "email", EMAIL, index_column="email_index", index_kind=EMAIL),
    SealedColumn("operators", ("id",), "totp_sealed", TOTP),
    SealedColumn("audit_log", ("id",), "actor", AUDIT),
    SealedColumn("audit_log", ("id",), "target", AUDIT),
    AUDIT_ADDRESS,
)
"""The sealed columns of this room (`lastmile keys rotate` re-seals them)."""


def seal_plain_operators(db: Any) -> int:
    """Seal what was stored before encryption at rest (migration 3): TOTP secrets move to ``totp_sealed``, then
    the generic walker seals emails (with their index) and the audit log's who and target; how many operators."""
    rows = list(db.query("SELECT id, totp_secret FROM operators WHERE totp_sealed IS NULL"))
    for row in rows:
        db.execute("UPDATE operators SET totp_sealed = ?, totp_secret = ? WHERE id = ?",
                   [vault.seal(TOTP, bytes(row["totp_secret"])), b"", row["id"]])
    reseal_all(db, SEALED)
    return len(rows)


def seal_audit_addresses(db: Any) -> int:
    """Seal the client addresses of audit lines stored before (migration 4); how many."""
    return reseal_all(db, (AUDIT_ADDRESS,))


def _open_operator(row: dict | None) -> dict | None:
    if row is None:
        return None
    row["email"] = vault.unseal_text(EMAIL, row["email"])
    if "totp_sealed" in row:
        row.pop("totp_secret", None)
        row["totp_secret"] = vault.unseal(TOTP, row.pop("totp_sealed"))
    return row


def _operator_id(db: Any, email: str) -> int | None:
    indexes = vault.blind_indexes(EMAIL, email)
    marks = ",".join("?" for _ in indexes)
    row = db.execute(f"SELECT id FROM operators WHERE email_index IN ({marks})", indexes).fetchone()
    return row[0] if row else None


def create_operator(db: Any, email: str, role: str, password_hash: str, secret: bytes, now: int) -> int | None:
    """A new operator's id for a normalised email, or None when the email is taken (under any readable key)."""
    if _operator_id(db, email) is not None:
        return None
    row = one(
        db,
        "INSERT INTO operators (email, email_index, role, password_hash, totp_secret, totp_sealed, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email_index) DO NOTHING RETURNING id",
        [vault.seal(EMAIL, email), vault.blind_index(EMAIL, email), role, password_hash, b"", vault.seal(TOTP, secret),
         now],
    )
    return row["id"] if row else None


def operator_by_email(db: Any, email: str) -> dict | None:
    """The operator row (email and TOTP secret opened) for a normalised email."""
    operator_id = _operator_id(db, email)
    return None if operator_id is None else operator_by_id(db, operator_id)


def operator_by_id(db: Any, operator_id: int) -> dict | None:
    """The operator row, email and TOTP secret opened."""
    return _open_operator(one(db, "SELECT * FROM operators WHERE id = ?", [operator_id]))


def list_operators(db: Any) -> list[dict]:
    """Every operator, oldest first (no secrets)."""
    rows = db.query("SELECT id, email, role, disabled, created_at, last_sign_in_at FROM operators ORDER BY id")
    return [_open_operator(row) for row in rows]


def set_disabled(db: Any, operator_id: int, disabled: bool) -> None:
    """Disable or re-enable an operator."""
    db.execute("UPDATE operators SET disabled = ? WHERE id = ?", [int(disabled), operator_id])


def set_totp_secret(db: Any, operator_id: int, secret: bytes) -> None:
    """Replace the TOTP secret and forget the steps used with the old one."""
    db.execute("UPDATE operators SET totp_sealed = ? WHERE id = ?", [vault.seal(TOTP, secret), operator_id])
    db.execute("DELETE FROM operator_totp_steps WHERE operator_id = ?", [operator_id])


def set_password_hash(db: Any, operator_id: int, password_hash: str) -> None:
    """Replace the stored hash."""
    db.execute("UPDATE operators SET password_hash = ? WHERE id = ?", [password_hash, operator_id])


def mark_signed_in(db: Any, operator_id: int, now: int) -> None:
    """Record the time of a successful sign-in."""
    db.execute("UPDATE operators SET last_sign_in_at = ? WHERE id = ?", [now, operator_id])


def hold_enabled(db: Any, operator_id: int) -> bool:
    """Lock the operator's row until the transaction ends if they are enabled; False if disabled (or gone).

    A disable or 2FA reset committed first is seen by what the caller reads next; one coming later waits for this
    transaction, then ends the credential it wrote.
    """
    return db.execute(
        "UPDATE operators SET disabled = 0 WHERE id = ? AND disabled = 0", [operator_id]
    ).rowcount == 1


def use_totp_step(db: Any, operator_id: int, step: int) -> bool:
    """Record a step as used; False when it had been used already (a code is never taken twice)."""
    cur = db.execute(
        "INSERT INTO operator_totp_steps (operator_id, step) VALUES (?, ?) ON CONFLICT DO NOTHING", [operator_id, step]
    )
    db.execute("DELETE FROM operator_totp_steps WHERE operator_id = ? AND step < ?", [operator_id, step - 10])
    return cur.rowcount == 1


def add_token(db: Any, operator_id: int, name: str, token_hash: str, now: int) -> int:
    """A new API token's id."""
    row = one(
        db,
        "INSERT INTO operator_tokens (operator_id, name, token_hash, created_at, last_used_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        [operator_id, name, token_hash, now, now],
    )
    assert row is not None
    return row["id"]


def token_by_hash(db: Any, token_hash: str) -> dict | None:
    """The token and its operator (email opened, role, disabled)."""
    return _open_operator(one(
        db,
        "SELECT t.id, t.operator_id, t.created_at, t.last_used_at, o.email, o.role, o.disabled"
        " FROM operator_tokens t JOIN operators o ON o.id = t.operator_id WHERE t.token_hash = ?",
        [token_hash],
    ))


def touch_token(db: Any, token_id: int, now: int) -> None:
    """Record use of a token."""
    db.execute("UPDATE operator_tokens SET last_used_at = ? WHERE id = ?", [now, token_id])


def list_tokens(db: Any, operator_id: int) -> list[dict]:
    """An operator's tokens, newest first."""
    return list(
        db.query(
            "SELECT id, name, created_at, last_used_at FROM operator_tokens WHERE operator_id = ? ORDER BY id DESC",
            [operator_id],
        )
    )


def delete_token(db: Any, token_id: int) -> bool:
    """Revoke one token; False when there was none."""
    return db.execute("DELETE FROM operator_tokens WHERE id = ?", [token_id]).rowcount == 1


def delete_credentials(db: Any, operator_id: int, tokens: bool) -> None:
    """Sign the operator out everywhere: every session, and every API token when ``tokens``."""
    db.execute("DELETE FROM operator_sessions WHERE operator_id = ?", [operator_id])
    if tokens:
        db.execute("DELETE FROM operator_tokens WHERE operator_id = ?", [operator_id])


def delete_expired_tokens(db: Any, created_before: int) -> int:
    """Drop tokens past their absolute lifetime; how many."""
    return db.execute("DELETE FROM operator_tokens WHERE created_at < ?", [created_before]).rowcount


def add_session(db: Any, operator_id: int, session_hash: str, csrf_token: str, now: int) -> int:
    """A new console session's id."""
    row = one(
        db,
        "INSERT INTO operator_sessions (operator_id, session_hash, csrf_token, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        [operator_id, session_hash, csrf_token, now, now],
    )
    assert row is not None
    return row["id"]


def session_by_hash(db: Any, session_hash: str) -> dict | None:
    """The session and its operator (email opened, role, disabled)."""
    return _open_operator(one(
        db,
        "SELECT s.id, s.operator_id, s.csrf_token, s.created_at, s.last_seen_at, o.email, o.role, o.disabled"
        " FROM operator_sessions s JOIN operators o ON o.id = s.operator_id WHERE s.session_hash = ?",
        [session_hash],
    ))


def touch_session(db: Any, session_id: int, now: int) -> None:
    """Record activity in a session (idle expiry counts from here)."""
    db.execute("UPDATE operator_sessions SET last_seen_at = ? WHERE id = ?", [now, session_id])


def delete_session(db: Any, session_id: int) -> None:
    """End one session."""
    db.execute("DELETE FROM operator_sessions WHERE id = ?", [session_id])


def delete_expired_sessions(db: Any, idle_before: int, created_before: int) -> int:
    """Drop sessions expired by inactivity or by age; how many."""
    return db.execute(
        "DELETE FROM operator_sessions WHERE last_seen_at < ? OR created_at < ?", [idle_before, created_before]
    ).rowcount


def count_attempts(db: Any, key_hash: str, since: float) -> tuple[int, float | None]:
    """Attempts under this key since ``since`` and the oldest of them."""
    row = one(
        db,
        "SELECT count(*) AS n, min(at) AS oldest FROM operator_signin_attempts WHERE key_hash = ? AND at >= ?",
        [key_hash, since],
    )
    assert row is not None
    return row["n"], row["oldest"]


def add_attempt(db: Any, key_hash: str, at: float) -> int:
    """Record one attempt under a key (claimed before its outcome is known); its id."""
    row = one(db, "INSERT INTO operator_signin_attempts (key_hash, at) VALUES (?, ?) RETURNING id", [key_hash, at])
    assert row is not None
    return row["id"]


def remove_attempts(db: Any, ids: list[int]) -> None:
    """Withdraw claimed attempts that were not failures (a sign-in that succeeded, or one refused unchecked)."""
    for attempt_id in ids:
        db.execute("DELETE FROM operator_signin_attempts WHERE id = ?", [attempt_id])


def prune_attempts(db: Any, before: float) -> None:
    """Forget attempts older than the window."""
    db.execute("DELETE FROM operator_signin_attempts WHERE at < ?", [before])


def add_audit(db: Any, entry: dict) -> int:
    """Append one audit line; its id."""
    row = one(
        db,
        "INSERT INTO audit_log (at, operator_id, actor, role, action, target, detail, address, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [entry["at"], entry["operator_id"], vault.seal(AUDIT, entry["actor"]), entry["role"], entry["action"],
         vault.seal(AUDIT, entry["target"]), entry["detail"], vault.seal(AUDIT, entry["address"]), entry["status"]],
    )
    assert row is not None
    return row["id"]


def list_audit(db: Any, before_id: int | None, limit: int, action_prefix: str = "") -> list[dict]:
    """Audit lines newest first (who and target opened), below ``before_id`` (keyset paging), optionally by action
    prefix."""
    sql = "SELECT * FROM audit_log WHERE id < ?"
    params: list = [before_id if before_id is not None else 2**62]
    if action_prefix:
        # Prefix match without LIKE's wildcards: the range [prefix, prefix + U+FFFF).
        sql += " AND action >= ? AND action < ?"
        params += [action_prefix, action_prefix + "\uffff"]
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [row | {column: vault.open_or_plain(AUDIT, row[column]) for column in ("actor", "target", "address")}
            for row in db.query(sql, params)]


def add_job(db: Any, kind: str, operator_id: int | None, now: int) -> int:
    """A new running job's id."""
    row = one(db, "INSERT INTO console_jobs (kind, operator_id, state, created_at, updated_at)"
                   " VALUES (?, ?, 'running', ?, ?) RETURNING id", [kind, operator_id, now, now])
    assert row is not None
    return row["id"]


def update_job(db: Any, job_id: int, *, step: str, done: int, total: int, now: int, state: str = "running",
               result: str = "") -> None:
    """Record a job's progress (or its end)."""
    db.execute("UPDATE console_jobs SET step = ?, done = ?, total = ?, state = ?, result = ?, updated_at = ?"
               " WHERE id = ?", [step, done, total, state, result, now, job_id])


def get_job(db: Any, job_id: int) -> dict | None:
    """One job."""
    return one(db, "SELECT * FROM console_jobs WHERE id = ?", [job_id])
