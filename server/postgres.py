"""PostgreSQL wiring (LASTMILE_DATABASE_URL): the same Database interface as server/db.py on psycopg_pool.

Writes are READ COMMITTED transactions; what SQLite's single writer gave for free is explicit in the
stores (per-shopper advisory locks, conditional updates, claim-first inserts, sequences, SKIP LOCKED).
Snapshots are REPEATABLE READ READ ONLY. Migrations run under an advisory lock, so hosts starting at
once migrate once. Every connection uses autocommit, so BEGIN/COMMIT here are the only transactions.
"""

from __future__ import annotations

import logging
import re
import threading
import zlib
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Callable, Iterator, Sequence

import psycopg
from psycopg.adapt import Loader
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from .dialect import POSTGRESQL, pg_ddl, pg_params, run_migration_steps
from .db import MIGRATIONS_TABLE, Database, TransientError

MIGRATION_LOCK = 0x4C4D_0001  # pg_advisory_lock key of `migrate()` ("LM", 1)
RETRYABLE = {"40001", "40P01"}  # serialization failure, deadlock detected
POKE_CHANNEL = "lastmile_poke"  # payload: a user id whose view moved (sync.store sends it in the transaction)
CHANGE_CHANNEL = "lastmile_change"  # payload: a table name; triggers on what caches show send it
# Made before any store's migrations: statement triggers on cached tables call it (catalog, media).
NOTIFY_CHANGE_FUNCTION = """CREATE OR REPLACE FUNCTION lastmile_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('lastmile_change', TG_TABLE_NAME); RETURN NULL; END $$"""


NOTHING = re.compile(r"(?!)")  # before migrate() names the cached tables: only the NOTIFY moves ``generation``


def cached_write(stores: Sequence[ModuleType]) -> re.Pattern[str]:
    """Statements that write a table the product cache shows (the stores' ``CACHED_TABLES``, clock/cache_signal.py).

    The triggers' NOTIFY is the truth, for every process, this one included; matching the statement lets this
    process's own commit move ``generation`` at once, without a round trip, and leaves other commits (sync
    pushes, metrics) alone. A statement this misses is still seen when its NOTIFY arrives (milliseconds).
    """
    tables = sorted({table for store in stores for table in getattr(store, "CACHED_TABLES", ())})
    if not tables:
        return NOTHING
    names = "|".join(re.escape(table) for table in tables)
    return re.compile(rf"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:{names})\b", re.IGNORECASE)


log = logging.getLogger(__name__)


class _NumericLoader(Loader):
    """SUM() of BIGINT is NUMERIC in PostgreSQL; the stores expect Python ints (as SQLite gives)."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)


class Result:
    """A statement's outcome, read the way the stores read sqlite3 cursors: fetchone, fetchall, rowcount, iteration."""

    __slots__ = ("_rows", "_at", "rowcount", "description")

    def __init__(self, rows: list, rowcount: int, description: Any = None):
        self._rows = rows
        self._at = 0
        self.rowcount = rowcount
        self.description = description
        """DB-API column descriptions (``d[0]`` is the name), None for a statement without rows."""

    def fetchone(self) -> Any:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self) -> list:
        rows = self._rows[self._at :]
        self._at = len(self._rows)
        return rows

    def __iter__(self) -> Iterator:
        return iter(self.fetchall())


def _run(conn: psycopg.Connection, sql: str, params: Any, row_factory: Any = None) -> Result:
    cur = conn.cursor(row_factory=row_factory) if row_factory else conn.cursor()
    try:
        cur.execute(pg_params(sql), params if params is not None else ())
        rows = cur.fetchall() if cur.description is not None else []
        return Result(rows, cur.rowcount, cur.description)
    except psycopg.Error as exc:
        # A deadlock or serialization failure dooms the whole transaction: say so in a way code that
        # catches per-statement errors (the sync engine's per-mutation handler) passes on to transact().
        if _transient(exc):
            raise TransientError() from exc
        raise
    finally:
        cur.close()


def _lock_key(name: str, key: int) -> tuple[int, int]:
    # Two int4 keys: the namespace's CRC and the id (folded into 32 bits; a collision only makes one wait).
    def signed(v: int) -> int:
        v &= 0xFFFF_FFFF
        return v - (1 << 32) if v >= 1 << 31 else v

    return signed(zlib.crc32(name.encode())), signed(key)


class PgConnection:
    """One connection as the stores see it: ``execute``/``query`` with SQLite-style SQL, plus dialect helpers."""

    dialect = POSTGRESQL

    def __init__(self, conn: psycopg.Connection, cached_write: re.Pattern[str] = NOTHING):
        self._conn = conn
        self._cached_write = cached_write
        self.cache_changed = False  # a statement of this transaction wrote what the product cache shows

    @property
    def conn(self) -> "PgConnection":
        """The stores' raw-connection fast path (sync) is the same object here."""
        return self

    def _note(self, sql: str) -> None:
        """Remember whether this transaction wrote what the product cache shows (``cached_write``)."""
        if not self.cache_changed and self._cached_write.match(sql):
            self.cache_changed = True

    def execute(self, sql: str, params: Any = None) -> Result:
        """Run one statement; rows as tuples."""
        self._note(sql)
        return _run(self._conn, sql, params)

    def query(self, sql: str, params: Any = None) -> list[dict]:
        """Run one statement; rows as dicts."""
        self._note(sql)
        return _run(self._conn, sql, params, dict_row).fetchall()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each parameter row (pipelined by psycopg); transient failures as in ``execute``."""
        self._note(sql)
        with self._conn.cursor() as cur:
            try:
                cur.executemany(pg_params(sql), rows)
            except psycopg.Error as exc:
                if _transient(exc):
                    raise TransientError() from exc
                raise

    def next_id(self, table: str) -> int:
        """An id for a row of ``table`` taken from its identity sequence (for rows that refer to themselves)."""
        return self._conn.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table]).fetchone()[0]

    def next_value(self, sequence: str) -> int:
        """The next number of a named counter (a sequence the store's migration made)."""
        return self._conn.execute("SELECT nextval(%s)", [sequence]).fetchone()[0]

    def lock(self, name: str, key: int = 0) -> None:
        """Hold the lock (name, key) until this transaction ends; other processes asking for it wait."""
        self._conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _lock_key(name, key))

    def notify(self, channel: str, payload: str) -> None:
        """Send a notification that listeners get when (and only if) this transaction commits."""
        self._conn.execute("SELECT pg_notify(%s, %s)", [channel, payload])


class _Reader:
    """``Database.read()``: every statement on a pooled connection of its own, outside any transaction."""

    dialect = POSTGRESQL

    def __init__(self, pool: ConnectionPool):
        self._pool = pool

    @property
    def conn(self) -> "_Reader":
        return self

    def execute(self, sql: str, params: Any = None) -> Result:
        with self._pool.connection() as conn:
            return _run(conn, sql, params)

    def query(self, sql: str, params: Any = None) -> list[dict]:
        with self._pool.connection() as conn:
            return _run(conn, sql, params, dict_row).fetchall()


def _transient(exc: psycopg.Error) -> bool:
    return getattr(exc, "sqlstate", None) in RETRYABLE


class PostgresDatabase(Database):
    """The application's database on PostgreSQL, with the interface of server.db.Database."""

    dialect = POSTGRESQL

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10):
        self.url = url
        self._pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, kwargs={"autocommit": True}, configure=_configure,
            open=True, name="lastmile",
        )
        self._pool.wait(timeout=30)
        self._local = threading.local()
        self._reader = _Reader(self._pool)
        self._generation_lock = threading.Lock()
        self.generation = 0
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self._listening = threading.Event()
        self._on_poke: Callable[[int], None] | None = None
        self._cached_write = NOTHING

    def _bump(self) -> None:
        with self._generation_lock:
            self.generation += 1

    def watch(self, on_poke: Callable[[int], None] | None = None) -> None:
        """One LISTEN connection for this process: pokes go to ``on_poke``, change signals bump ``generation``.

        Returns once LISTEN is in effect. A lost connection is reopened (and ``generation`` bumped, as
        anything may have changed unseen meanwhile).
        """
        with self._generation_lock:
            if on_poke is not None:
                self._on_poke = on_poke
            if self._listener is not None:
                return
            self._listener = threading.Thread(target=self._listen, daemon=True, name="lastmile-listen")
        self._listener.start()
        self._listening.wait(timeout=30)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {POKE_CHANNEL}")
                    conn.execute(f"LISTEN {CHANGE_CHANNEL}")
                    self._bump()
                    self._listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.25):
                            self._notified(note.channel, note.payload)
            except psycopg.Error as exc:
                if self._stop.is_set():
                    return
                log.warning("postgres: the LISTEN connection failed (%s); reconnecting", type(exc).__name__)
                self._stop.wait(1.0)

    def _notified(self, channel: str, payload: str) -> None:
        if channel == CHANGE_CHANNEL:
            self._bump()
        elif channel == POKE_CHANNEL and self._on_poke is not None:
            try:
                self._on_poke(int(payload))
            except Exception:  # a bad payload or a failing callback must not end the listener
                log.exception("postgres: poke handler failed")

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[PgConnection]:
        with self._pool.connection() as conn:
            conn.execute(begin)
            try:
                yield PgConnection(conn, self._cached_write)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except psycopg.Error as exc:
                    if _transient(exc):
                        raise TransientError() from exc
                    raise

    @contextmanager
    def write(self) -> Iterator[PgConnection]:
        """One READ COMMITTED write transaction; nested calls in the same thread join it."""
        current = getattr(self._local, "tx", None)
        if current is not None:
            yield current
            return
        try:
            with self._transaction("BEGIN") as tx:
                self._local.tx = tx
                try:
                    yield tx
                finally:
                    self._local.tx = None
        except psycopg.Error as exc:
            if _transient(exc):  # the detail names queries and backends: logged by the caller's chain only
                raise TransientError() from exc
            raise
        if tx.cache_changed:
            self._bump()  # after the commit, as on SQLite

    def in_write(self) -> bool:
        return getattr(self._local, "tx", None) is not None

    @contextmanager
    def _job_lock(self, job: str) -> Iterator[bool]:
        """A session advisory lock on a connection of its own (not the pool's), held while the job runs.

        PostgreSQL drops it when that connection ends, so a runner killed mid-job frees it at once.
        (Session locks need a direct connection: behind PgBouncer's transaction pooling they misbehave.)
        """
        with psycopg.connect(self.url, autocommit=True) as conn:
            key = _lock_key("job", zlib.crc32(job.encode()))
            got = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0]
            if not got:
                yield False
                return
            try:
                yield True
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)

    def read(self) -> _Reader:
        """Single statements outside a transaction, each on a pooled connection."""
        return self._reader

    @contextmanager
    def snapshot(self) -> Iterator[PgConnection]:
        """A read transaction: several queries that see one consistent state."""
        with self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") as tx:
            yield tx

    def migrate(self, stores: Sequence[ModuleType]) -> list[str]:
        """Apply each store's numbered ``MIGRATIONS`` not yet recorded, under an advisory lock; what was applied."""
        applied: list[str] = []
        self._cached_write = cached_write(stores)
        with self._pool.connection() as conn:
            if conn.execute("SELECT to_regclass('migrations')").fetchone()[0] is not None:
                recorded = {(d, n) for d, n in conn.execute("SELECT domain, number FROM migrations")}
                if all((store.DOMAIN, number) in recorded for store in stores for number, _, _ in store.MIGRATIONS):
                    return applied  # up to date: no lock, no transaction per migration (every start, every test)
            conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            try:
                with conn.transaction():
                    conn.execute(pg_ddl(MIGRATIONS_TABLE))
                    conn.execute(NOTIFY_CHANGE_FUNCTION)
                for store in stores:
                    for number, name, statements in store.MIGRATIONS:
                        with conn.transaction():
                            done = conn.execute(
                                "SELECT 1 FROM migrations WHERE domain = %s AND number = %s", [store.DOMAIN, number]
                            ).fetchone()
                            if done:
                                continue
                            # SQL steps are PostgreSQL's already (pg_ddl): the raw connection runs them untranslated
                            run_migration_steps(statements, POSTGRESQL, PgConnection(conn), conn.execute)
                            conn.execute(
                                "INSERT INTO migrations (domain, number, name) VALUES (%s, %s, %s)",
                                [store.DOMAIN, number, name],
                            )
                        applied.append(f"{store.DOMAIN}:{number:03d} {name}")
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
        return applied

    def close(self) -> None:
        """Stop listening and close every pooled connection."""
        self._stop.set()
        if self._listener is not None:
            self._listener.join()
        self._pool.close()
