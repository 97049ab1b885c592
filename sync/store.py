"""SQL of the sync room: per-user versions, client bindings, the client view (with tombstones), LWW stamps.

Other rooms write a user's view with put_view/delete_view inside their own write transaction; each
change bumps the user's version, so the next pull carries it. After commit, call sync.poke.notify.

Values under SEALED_PREFIXES (personal preferences such as the birthday) are sealed by the vault at rest
and opened here on the way out, so callers and pulls see plain JSON.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

import msgspec

from accounts import vault
from accounts.sealed_store import SealedColumn, sealing_migration

from .errors import BadViewRow, UnknownClient
from .limits import ERRORS_KEPT, MAX_KEY_CHARS, MAX_VALUE_BYTES

DOMAIN = "sync"
VIEW = "view"
SEALED_PREFIXES: tuple[str, ...] = ("prefs/", "addresses/")
"""View keys whose values are personal: sealed at rest (a room adding personal keys adds its prefix here)."""

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "client view",
        [
            """CREATE TABLE sync_users (
                user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                version INTEGER NOT NULL DEFAULT 0,   -- bumped by every change to the user's view
                horizon INTEGER NOT NULL DEFAULT 0    -- highest version of a pruned tombstone
            )""",
            """CREATE TABLE sync_clients (
                client_id TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                last_mutation_id INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL
            ) WITHOUT ROWID""",
            """CREATE TABLE sync_view (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                scope TEXT NOT NULL,                  -- '' for every device of the user, else one clientId
                key TEXT NOT NULL,
                value TEXT,                           -- JSON; NULL is a tombstone
                version INTEGER NOT NULL,             -- the user's version when the row last changed
                changed_at INTEGER NOT NULL,          -- unix seconds, for tombstone pruning
                PRIMARY KEY (user_id, scope, key)
            ) WITHOUT ROWID""",
            "CREATE INDEX sync_view_version ON sync_view (user_id, version)",
            "CREATE INDEX sync_view_tombstones ON sync_view (changed_at) WHERE value IS NULL",
            """CREATE TABLE sync_lww (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                at INTEGER NOT NULL,                  -- HLC ms of the write that holds the key
                client_id TEXT NOT NULL,              -- its client (ties on `at` go to the greater id)
                PRIMARY KEY (user_id, key)
            ) WITHOUT ROWID""",
        ],
    ),
    (
        2,
        "personal view values sealed",
        [sealing_migration(lambda: SEALED)],
    ),
]

_encoder = msgspec.json.Encoder()


def _prefix_where(prefix: str) -> str:
    end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    assert "'" not in prefix + end
    return f"key >= '{prefix}' AND key < '{end}'"


SEALED = tuple(SealedColumn("sync_view", ("user_id", "scope", "key"), "value", VIEW, where=_prefix_where(p))
               for p in SEALED_PREFIXES)
"""The sealed columns of this room (`lastmile keys rotate` re-seals them)."""


def _is_personal(key: str) -> bool:
    return key.startswith(SEALED_PREFIXES)


def _opened(text: str | None) -> str | None:
    """A stored view value as JSON text (sealed values opened)."""
    return vault.unseal_text(VIEW, text) if text is not None and vault.is_sealed(text) else text


def _now() -> int:
    return int(time.time())


def _ex(db: Any, sql: str, params: list | tuple = ()) -> Any:
    # The raw sqlite3 connection under sqlite_utils: this is the push hot path, and the wrapper's
    # per-call bookkeeping cost more than the queries themselves (see docs/performance.md).
    return db.conn.execute(sql, params)


class _Batch:
    """Changes that share one version: a push's whole transaction needs one bump, not one per row.

    A *buffered* batch (a push, see ``buffered``) also holds the push's unit of work: what it read of the
    user's view and LWW stamps (so a key is read once) and what it wrote (flushed as one multi-row upsert
    per table). On PostgreSQL each statement is a round trip, and a push of 20 mutations went from ~73
    statements to ~15 (docs/performance.md). Only this module's functions touch sync_view and sync_lww
    (tests/unit/test_layout.py), and each flushes first when it reads beyond a single key, so nothing
    ever sees the tables without the buffered writes.
    """

    def __init__(self, user_id: int, buffered: bool = False):
        self.user_id = user_id
        self.version: int | None = None
        self.bumped = False
        self.buffered = buffered
        self.view: dict[tuple[str, str], str | None] = {}  # (scope, key) -> live JSON text (opened), None: none
        self.view_writes: dict[tuple[str, str], str | None] = {}  # (scope, key) -> stored text, None: tombstone
        self.lww: dict[str, tuple[int, str] | None] = {}
        self.lww_writes: dict[str, tuple[int, str]] = {}
        self.memo: dict[str, Any] = {}  # what mutators' prefetch loaded from other rooms (products)
        self.wanted_view: set[str] = set()  # shared keys to read at the first miss (see warm)
        self.wanted_lww: set[str] = set()

    def discard(self) -> None:
        """After ROLLBACK TO: whatever was read or written since the savepoint may be gone; read again."""
        self.wanted_view.update(key for scope, key in self.view if scope == "")
        self.wanted_lww.update(self.lww)
        self.view.clear()
        self.view_writes.clear()
        self.lww.clear()
        self.lww_writes.clear()
        self.version = None


_batch: ContextVar[_Batch | None] = ContextVar("sync_batch", default=None)


@contextmanager
def one_version(user_id: int) -> Iterator[None]:
    """Inside one write transaction: every change of this user's view gets the same (single) new version."""
    token = _batch.set(_Batch(user_id))
    try:
        yield
    finally:
        _batch.reset(token)


@contextmanager
def buffered(user_id: int) -> Iterator[None]:
    """one_version, with reads cached and writes held until ``flush`` (which the caller runs before commit)."""
    token = _batch.set(_Batch(user_id, buffered=True))
    try:
        yield
    finally:
        _batch.reset(token)


def _buffer(user_id: int | None = None) -> _Batch | None:
    batch = _batch.get()
    if batch is None or not batch.buffered or (user_id is not None and batch.user_id != user_id):
        return None
    return batch


def forget_version() -> None:
    """After a ROLLBACK TO inside one_version: the bump may have been undone, so bump again on the next change."""
    batch = _batch.get()
    if batch is not None:
        batch.version = None
        if batch.buffered:
            batch.discard()


def memo() -> dict[str, Any]:
    """The current push's scratch space for rows a mutator's prefetch loaded ({} outside a push: nothing kept)."""
    batch = _buffer()
    return batch.memo if batch is not None else {}


_FLUSH_ROWS = 100  # rows per multi-row upsert (6 parameters each: far under SQLite's 32,766)


def _values(width: int, rows: int) -> str:
    return ", ".join(["(" + ", ".join("?" * width) + ")"] * rows)


# On PostgreSQL a flush is one statement whatever its size: columns as arrays, unnested. (psycopg caches
# and prepares statements of at most 50 parameters, so multi-row VALUES would be parsed on every push.)
_PG_VIEW_UPSERT = (
    "INSERT INTO sync_view (user_id, scope, key, value, version, changed_at)"
    " SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[])"
)
_PG_LWW_UPSERT = "INSERT INTO sync_lww (user_id, key, at, client_id) SELECT * FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[])"
_VIEW_CONFLICT = (
    " ON CONFLICT (user_id, scope, key) DO UPDATE SET"
    " value = excluded.value, version = excluded.version, changed_at = excluded.changed_at"
)
_LWW_CONFLICT = " ON CONFLICT (user_id, key) DO UPDATE SET at = excluded.at, client_id = excluded.client_id"


def _upsert_rows(db: Any, rows: list[tuple], pg_sql: str, table_columns: str, conflict: str) -> None:
    if db.dialect == "postgresql":
        _ex(db, pg_sql + conflict, [list(column) for column in zip(*rows)])
        return
    width = len(rows[0])
    for at in range(0, len(rows), _FLUSH_ROWS):
        chunk = rows[at : at + _FLUSH_ROWS]
        _ex(db, f"INSERT INTO {table_columns} VALUES {_values(width, len(chunk))}{conflict}", [v for row in chunk for v in row])


def flush(db: Any) -> None:
    """Write what the current push holds: one version bump and one upsert per table (outside a push: nothing)."""
    batch = _buffer()
    if batch is None:
        return
    if batch.view_writes:
        version, _ = _new_version(db, batch.user_id)
        now = _now()
        rows = [(batch.user_id, scope, key, stored, version, now) for (scope, key), stored in batch.view_writes.items()]
        batch.view_writes = {}
        _upsert_rows(db, rows, _PG_VIEW_UPSERT, "sync_view (user_id, scope, key, value, version, changed_at)", _VIEW_CONFLICT)
    if batch.lww_writes:
        rows = [(batch.user_id, key, at, client_id) for key, (at, client_id) in batch.lww_writes.items()]
        batch.lww_writes = {}
        _upsert_rows(db, rows, _PG_LWW_UPSERT, "sync_lww (user_id, key, at, client_id)", _LWW_CONFLICT)


def _in(db: Any, column: str, values: list) -> tuple[str, list]:
    """``column IN (...)`` for a list: one array parameter on PostgreSQL (a statement psycopg can prepare)."""
    if db.dialect == "postgresql":
        return f"{column} = ANY(?)", [values]
    return f"{column} IN ({', '.join('?' * len(values))})", values


def warm(db: Any, user_id: int, view_keys: list[str] = (), lww_keys: list[str] = ()) -> None:
    """Mark these keys of the user's shared view and LWW stamps to be read into the push's buffer.

    They are read at the first look-up the buffer cannot answer: one query for all the keys every
    mutator of the push asked for, rather than one per mutator.
    """
    batch = _buffer(user_id)
    if batch is None:
        return
    batch.wanted_view.update(k for k in view_keys if ("", k) not in batch.view)
    batch.wanted_lww.update(k for k in lww_keys if k not in batch.lww)


def _rows_by_key(db: Any, select: str, user_id: int, keys: list[str]) -> dict[str, tuple]:
    """{key: the rest of its row} for the ``keys`` that ``select`` (ending in ``... AND``) finds."""
    found: dict[str, tuple] = {}
    for at in range(0, len(keys), _FLUSH_ROWS):
        where, params = _in(db, "key", keys[at : at + _FLUSH_ROWS])
        for key, *rest in _ex(db, f"{select} {where}", [user_id, *params]).fetchall():
            found[key] = tuple(rest)
    return found


def _load_wanted(db: Any, batch: _Batch) -> None:
    keys = sorted(k for k in batch.wanted_view if ("", k) not in batch.view)
    batch.wanted_view.clear()
    found = _rows_by_key(db, "SELECT key, value FROM sync_view WHERE user_id = ? AND scope = '' AND", batch.user_id, keys)
    batch.view.update({("", key): _opened(found[key][0]) if key in found else None for key in keys})
    keys = sorted(k for k in batch.wanted_lww if k not in batch.lww)
    batch.wanted_lww.clear()
    found = _rows_by_key(db, "SELECT key, at, client_id FROM sync_lww WHERE user_id = ? AND", batch.user_id, keys)
    batch.lww.update({key: found.get(key) for key in keys})


def _live_text(db: Any, user_id: int, scope: str, key: str) -> str | None:
    """The key's live value as JSON text (opened), through the push's buffer when there is one."""
    batch = _buffer(user_id)
    if batch is not None:
        if (scope == "" and key in batch.wanted_view) or key in batch.wanted_lww:
            _load_wanted(db, batch)
        if (scope, key) in batch.view:
            return batch.view[(scope, key)]
    row = _ex(
        db,
        "SELECT value FROM sync_view WHERE user_id = ? AND scope = ? AND key = ? AND value IS NOT NULL",
        [user_id, scope, key],
    ).fetchone()
    text = _opened(row[0]) if row else None
    if batch is not None:
        batch.view[(scope, key)] = text
    return text


def _new_version(db: Any, user_id: int) -> tuple[int, bool]:
    """(version for a change, whether this call bumped it)."""
    batch = _batch.get()
    if batch is None or batch.user_id != user_id:
        return _bump(db, user_id), True
    if batch.version is None:
        batch.version = _bump(db, user_id)
        return batch.version, True
    return batch.version, False


def _give_back(db: Any, user_id: int) -> None:
    # Nothing used the version just bumped (we hold the only writer): undo it, so no pull or poke is due.
    _ex(db, "UPDATE sync_users SET version = version - 1 WHERE user_id = ?", [user_id])
    batch = _batch.get()
    if batch is not None and batch.user_id == user_id:
        batch.version = None


POKE_CHANNEL = "lastmile_poke"


_BUMP = (
    "INSERT INTO sync_users (user_id, version) VALUES (?, 1)"
    " ON CONFLICT (user_id) DO UPDATE SET version = sync_users.version + 1 RETURNING version"
)


def _bump(db: Any, user_id: int) -> int:
    # On PostgreSQL every process's LISTEN connection gets the poke at commit (sent in the same statement:
    # a round trip saved on every push); on SQLite the engine pokes in-process after commit.
    batch = _batch.get()
    if batch is not None and batch.user_id == user_id:
        batch.bumped = True
    if db.dialect == "postgresql":
        return _ex(db, f"WITH bumped AS ({_BUMP}) SELECT version, pg_notify(?, ?) FROM bumped",
                   [user_id, POKE_CHANNEL, str(user_id)]).fetchone()[0]
    db.notify(POKE_CHANNEL, str(user_id))
    return _ex(db, _BUMP, [user_id]).fetchone()[0]


def bumped() -> bool:
    """Whether the current batch bumped its user's version (so the view moved, unless rolled back since)."""
    batch = _batch.get()
    return batch is not None and batch.bumped


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_CHARS:
        raise BadViewRow(f"view keys are 1 to {MAX_KEY_CHARS} characters")


def encode_value(value: Any) -> str:
    """A view value as stored: JSON text, bounded."""
    text = _encoder.encode(value)
    if len(text) > MAX_VALUE_BYTES:
        raise BadViewRow(f"view values are at most {MAX_VALUE_BYTES} bytes of JSON")
    return text.decode()


def put_view(db: Any, user_id: int, key: str, value: Any, *, scope: str = "") -> bool:
    """Set a key of the user's view (in the caller's write transaction); False when it already held that value."""
    _check_key(key)
    text = encode_value(value)
    batch = _buffer(user_id)
    if batch is not None:
        if _live_text(db, user_id, scope, key) == text:
            return False
        batch.view[(scope, key)] = text
        batch.view_writes[(scope, key)] = vault.seal(VIEW, text) if _is_personal(key) else text
        return True
    if _is_personal(key):
        row = _ex(db, "SELECT value FROM sync_view WHERE user_id = ? AND scope = ? AND key = ?", [user_id, scope, key]).fetchone()
        if row is not None and _opened(row[0]) == text:
            return False  # a fresh seal differs every time: compare what it holds, not the ciphertext
        stored = vault.seal(VIEW, text)
    else:
        stored = text
    version, fresh = _new_version(db, user_id)
    changed = _ex(
        db,
        "INSERT INTO sync_view (user_id, scope, key, value, version, changed_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, scope, key) DO UPDATE SET"
        " value = excluded.value, version = excluded.version, changed_at = excluded.changed_at"
        " WHERE sync_view.value IS DISTINCT FROM excluded.value",
        [user_id, scope, key, stored, version, _now()],
    ).rowcount
    if not changed:
        if fresh:
            _give_back(db, user_id)
        return False
    return True


def delete_view(db: Any, user_id: int, key: str, *, scope: str = "") -> bool:
    """Delete a key (leaving a tombstone for pulls); False when there was nothing to delete."""
    _check_key(key)
    batch = _buffer(user_id)
    if batch is not None:
        if _live_text(db, user_id, scope, key) is None:
            return False
        batch.view[(scope, key)] = None
        batch.view_writes[(scope, key)] = None
        return True
    row = _ex(
        db,
        "SELECT 1 FROM sync_view WHERE user_id = ? AND scope = ? AND key = ? AND value IS NOT NULL",
        [user_id, scope, key],
    ).fetchone()
    if row is None:
        return False
    version, _ = _new_version(db, user_id)
    _ex(
        db,
        "UPDATE sync_view SET value = NULL, version = ?, changed_at = ? WHERE user_id = ? AND scope = ? AND key = ?",
        [version, _now(), user_id, scope, key],
    )
    return True


def _prefix_end(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def delete_prefix(db: Any, user_id: int, prefix: str, *, scope: str = "") -> int:
    """Delete every live key under ``prefix`` (one version for all); how many."""
    if not prefix:
        raise BadViewRow("delete_prefix needs a prefix")
    flush(db)  # the tables must hold the buffered writes before reading beyond single keys
    batch = _buffer(user_id)
    if batch is not None:  # the UPDATE below changes rows the buffer may have read
        for cached in [k for k in batch.view if k[0] == scope and k[1].startswith(prefix)]:
            del batch.view[cached]
    live = _ex(
        db,
        "SELECT count(*) FROM sync_view WHERE user_id = ? AND scope = ? AND key >= ? AND key < ? AND value IS NOT NULL",
        [user_id, scope, prefix, _prefix_end(prefix)],
    ).fetchone()[0]
    if not live:
        return 0
    version, _ = _new_version(db, user_id)
    _ex(
        db,
        "UPDATE sync_view SET value = NULL, version = ?, changed_at = ?"
        " WHERE user_id = ? AND scope = ? AND key >= ? AND key < ? AND value IS NOT NULL",
        [version, _now(), user_id, scope, prefix, _prefix_end(prefix)],
    )
    return live


def get_value(db: Any, user_id: int, key: str, *, scope: str = "") -> Any:
    """One key's value, or None when absent."""
    text = _live_text(db, user_id, scope, key)
    return msgspec.json.decode(text) if text is not None else None


def get_view(db: Any, user_id: int, prefix: str = "") -> dict[str, Any]:
    """The user's (device-wide) view under ``prefix`` as {key: value}, e.g. prefix "cart/" for checkout."""
    flush(db)
    if prefix:
        rows = _ex(
        db,
            "SELECT key, value FROM sync_view WHERE user_id = ? AND scope = '' AND key >= ? AND key < ?"
            " AND value IS NOT NULL ORDER BY key",
            [user_id, prefix, _prefix_end(prefix)],
        )
    else:
        rows = _ex(
        db,
            "SELECT key, value FROM sync_view WHERE user_id = ? AND scope = '' AND value IS NOT NULL ORDER BY key",
            [user_id],
        )
    return {key: msgspec.json.decode(_opened(value)) for key, value in rows.fetchall()}


def user_version(db: Any, user_id: int) -> tuple[int, int]:
    """(version, horizon) of the user's view; (0, 0) before the first change."""
    flush(db)
    row = _ex(db, "SELECT version, horizon FROM sync_users WHERE user_id = ?", [user_id]).fetchone()
    return (row[0], row[1]) if row else (0, 0)


def changes_since(db: Any, user_id: int, scope: str, cookie: int) -> list[tuple[str, str | None]]:
    """(key, JSON or None for a tombstone) of every row changed after ``cookie`` visible to the client."""
    flush(db)
    rows = _ex(
        db,
        "SELECT key, value FROM sync_view WHERE user_id = ? AND version > ? AND scope IN ('', ?) ORDER BY key",
        [user_id, cookie, scope],
    ).fetchall()
    return [(key, _opened(value)) for key, value in rows]


def live_rows(db: Any, user_id: int, scope: str) -> list[tuple[str, str]]:
    """(key, JSON) of every live row visible to the client."""
    flush(db)
    rows = _ex(
        db,
        "SELECT key, value FROM sync_view WHERE user_id = ? AND scope IN ('', ?) AND value IS NOT NULL ORDER BY key",
        [user_id, scope],
    ).fetchall()
    return [(key, _opened(value)) for key, value in rows]


def lock_shopper(db: Any, user_id: int) -> None:
    """Serialise this shopper's writers until the transaction ends (a no-op on SQLite's single writer).

    Every write that reads a shopper's state and then writes from what it read (a push's
    lastMutationId, the points balance, coupon use, checkout) takes it first, on every process.
    """
    db.lock("shopper", user_id)


def client(db: Any, client_id: str) -> tuple[int, int] | None:
    """(user_id, last_mutation_id) of a known client."""
    row = _ex(db, "SELECT user_id, last_mutation_id FROM sync_clients WHERE client_id = ?", [client_id]).fetchone()
    return (row[0], row[1]) if row else None


def bind_client(db: Any, client_id: str, user_id: int, may_bind: Callable[[], bool] = lambda: True) -> tuple[int, int]:
    """Bind an unknown client to the user (first come); (owner user_id, last_mutation_id). UnknownClient when
    ``may_bind()`` (asked only for an unknown client) says the user may have no new one."""
    found = client(db, client_id)  # a known client (every push but a device's first): one statement
    if found is not None:
        return found
    if not may_bind():
        raise UnknownClient(f"no client {client_id} among yours")
    now = _now()
    _ex(
        db,
        "INSERT INTO sync_clients (client_id, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (client_id) DO NOTHING",
        [client_id, user_id, now, now],
    )
    found = client(db, client_id)  # ours, or the one another server bound first
    assert found is not None
    return found


def set_last_mutation_id(db: Any, client_id: str, last_mutation_id: int) -> None:
    """Record how far the client's mutations got (same transaction as their effects)."""
    _ex(
        db,
        "UPDATE sync_clients SET last_mutation_id = ?, last_seen_at = ? WHERE client_id = ?",
        [last_mutation_id, _now(), client_id],
    )


def get_lww(db: Any, user_id: int, key: str) -> tuple[int, str] | None:
    """(at, client_id) of the write that holds a last-writer-wins key."""
    batch = _buffer(user_id)
    if batch is not None:
        if key in batch.wanted_lww or key in batch.wanted_view:
            _load_wanted(db, batch)
        if key in batch.lww:
            return batch.lww[key]
    row = _ex(db, "SELECT at, client_id FROM sync_lww WHERE user_id = ? AND key = ?", [user_id, key]).fetchone()
    found = (row[0], row[1]) if row else None
    if batch is not None:
        batch.lww[key] = found
    return found


def set_lww(db: Any, user_id: int, key: str, at: int, client_id: str) -> None:
    """Record the winning write of a last-writer-wins key."""
    batch = _buffer(user_id)
    if batch is not None:
        batch.lww[key] = batch.lww_writes[key] = (at, client_id)
        return
    _ex(
        db,
        "INSERT INTO sync_lww (user_id, key, at, client_id) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id, key) DO UPDATE SET at = excluded.at, client_id = excluded.client_id",
        [user_id, key, at, client_id],
    )


def trim_errors(db: Any, user_id: int, scope: str) -> None:
    """Keep only the newest ERRORS_KEPT `errors/...` entries of a client."""
    flush(db)
    live = _ex(
        db,
        "SELECT key FROM sync_view WHERE user_id = ? AND scope = ? AND key >= 'errors/' AND key < 'errors0'"
        " AND value IS NOT NULL ORDER BY version DESC, length(key) DESC, key DESC",
        [user_id, scope],
    ).fetchall()
    for (key,) in live[ERRORS_KEPT:]:
        delete_view(db, user_id, key, scope=scope)


def prune_tombstones(db: Any, before: int) -> int:
    """Drop tombstones changed before ``before`` (unix s), raising each user's horizon past them; how many."""
    flush(db)
    _ex(
        db,
        "UPDATE sync_users SET horizon = COALESCE((SELECT max(v.version) FROM sync_view v"
        " WHERE v.user_id = sync_users.user_id AND v.value IS NULL AND v.changed_at < ? AND v.version > sync_users.horizon),"
        " horizon) WHERE user_id IN (SELECT user_id FROM sync_view WHERE value IS NULL AND changed_at < ?)",
        [before, before],
    )
    return _ex(db, "DELETE FROM sync_view WHERE value IS NULL AND changed_at < ?", [before]).rowcount


def rows_with_prefix(db: Any, prefix: str) -> list[tuple[int, str, str, int]]:
    """(user_id, key, JSON, changed_at) of every live shared row under ``prefix``, all users (`lastmile verify`)."""
    flush(db)
    rows = _ex(
        db,
        f"SELECT user_id, key, value, changed_at FROM sync_view WHERE scope = '' AND value IS NOT NULL AND {_prefix_where(prefix)}"
        " ORDER BY user_id, key",
    ).fetchall()
    return [(user_id, key, _opened(value), changed_at) for user_id, key, value, changed_at in rows]


def erase_user(db: Any, user_id: int) -> int:
    """Drop a user's whole view (prefs, cart, wishlist, ...), clients and stamps (account deletion); rows dropped.

    No tombstones are left: the user's devices are signed out, so nobody pulls this view again.
    """
    flush(db)
    dropped = _ex(db, "DELETE FROM sync_view WHERE user_id = ?", [user_id]).rowcount
    for sql in ("DELETE FROM sync_lww WHERE user_id = ?", "DELETE FROM sync_clients WHERE user_id = ?",
                "DELETE FROM sync_users WHERE user_id = ?"):
        _ex(db, sql, [user_id])
    return dropped
