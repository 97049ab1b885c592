"""SQLite wiring: WAL, one writer under a lock, a reader connection per thread, numbered migrations.

server/postgres.py is the PostgreSQL twin with the same interface (LASTMILE_DATABASE_URL).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import random
import sqlite3
import threading
import time
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator, Sequence, TypeVar

import sqlite_utils

from .dialect import SQLITE, run_migration_steps

FILE_MODE = 0o600
RETRY_ATTEMPTS = 4  # runs of a transaction the database gave up on (deadlock, serialization) before a 503
RETRY_BACKOFF = 0.01  # seconds; the jittered pause before run n is up to RETRY_BACKOFF * 2**n
T = TypeVar("T")
JOB_NAME = re.compile(r"[a-z][a-z0-9-]{0,40}")
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
WATCH_INTERVAL = 0.05  # seconds between two looks at PRAGMA data_version (a read of shared memory)

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS migrations ("
    " domain TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
    " PRIMARY KEY (domain, number))"
)
SEQUENCES_TABLE = "CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID"
# What the product cache shows (products, their images and variants) counts its changes here: catalog's and
# media's migrations add triggers that bump the one row. PRAGMA data_version moves on every commit (a sync
# push, a metrics flush), so without it every commit anywhere dropped every cached product.
CACHE_CHANGES_TABLE = (
    "CREATE TABLE IF NOT EXISTS cache_changes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO cache_changes (id, n) VALUES (1, 0)",
)
READ_CACHE_CHANGES = "SELECT n FROM cache_changes"


class TransientError(Exception):
    """The database gave up on a transaction that may succeed if run again (serialization failure, deadlock).

    ``Database.transact`` runs the transaction again a few times; after that it is answered as a 503 with
    Retry-After: every write the clients repeat is idempotent (sync pushes by mutation id, checkouts by
    Idempotency-Key), so the retry is theirs and changes nothing twice.
    """

    headers = {"Retry-After": "1"}
    retry_transaction = True  # domain code that catches statement errors re-raises these (it cannot import this)

    def __init__(self, detail: str = "the database was busy with a conflicting change; try again"):
        super().__init__(detail)


class SqliteConnection(sqlite_utils.Database):
    """A connection as the stores see it (sqlite_utils' ``execute``/``query``) plus the dialect helpers.

    With one writer at a time (BEGIN IMMEDIATE across processes) the helpers need no locking here;
    server/postgres.py's twin does the same with sequences and advisory locks.
    """

    dialect = SQLITE

    def next_id(self, table: str) -> int:
        """An id for a new row of ``table`` (for rows that refer to themselves): SQLite's own rowid choice."""
        return self.conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]

    def next_value(self, sequence: str) -> int:
        """The next number of a named counter (a row of `sequences` the store's migration made)."""
        row = self.conn.execute(
            "UPDATE sequences SET value = value + 1 WHERE name = ? RETURNING value", [sequence]
        ).fetchone()
        if row is None:
            raise LookupError(f"no sequence {sequence!r}")
        return row[0]

    def lock(self, name: str, key: int = 0) -> None:
        """A no-op: the writer already holds the database's only write lock."""

    def notify(self, channel: str, payload: str) -> None:
        """A no-op: one process's pokes and caches are in-process on SQLite."""


def _private_files(path: Path) -> None:
    """The database file only for its owner: made 0600 before SQLite opens it (SQLite gives the -wal and
    -shm files the database's mode), and tightened when an older deployment left it 0644."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(FILE_MODE)
        except FileNotFoundError:
            pass


def _connect(path: Path | str) -> SqliteConnection:
    # isolation_level=None: no implicit transactions, so every write is an explicit BEGIN IMMEDIATE.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    # busy_timeout before WAL: switching journal mode itself may wait for another connection.
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    # Deleted and overwritten content is zeroed, so erased or re-sealed personal values leave no plain copy.
    conn.execute("PRAGMA secure_delete = ON")
    return SqliteConnection(conn)


class Database:
    """What the application needs of its database; SqliteDatabase here, PostgresDatabase in server/postgres.py.

    ``write()`` (a write transaction; nested calls join it), ``read()`` (single statements),
    ``snapshot()`` (a read transaction), ``migrate()``, ``ping()``, ``close()`` and ``generation``.
    Domain stores take the connection these give and never open connections themselves.
    """

    dialect: str
    generation: int
    """Changes seen: bumped after each commit through this object and whenever ``watch()`` notices
    another process's commit. In-process caches keep what they read at one generation until it moves."""

    def watch(self, on_poke: Callable[[int], None] | None = None) -> None:
        """Start noticing other processes' changes (idempotent); ``on_poke(user_id)`` for their pokes."""
        raise NotImplementedError

    def write(self) -> Any:
        raise NotImplementedError

    def in_write(self) -> bool:
        """Whether this thread is inside a ``write()`` already (a retry there would need the outer one's)."""
        raise NotImplementedError

    def transact(self, work: Callable[[Any], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
        """``work(db)`` in one write transaction, run again when the database gives it up as transient.

        Bounded: at most ``attempts`` runs with a short jittered backoff, then the TransientError goes to
        the caller (a 503 with Retry-After). Only the outermost transaction retries: ``work`` must keep
        its effects inside the transaction (pokes and sends come after it), so a re-run changes nothing twice.
        """
        if self.in_write():
            with self.write() as db:
                return work(db)
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as db:
                    return work(db)
            except TransientError:
                if attempt == attempts:
                    raise
                log.info("database: transient failure, attempt %d of %d; running the transaction again", attempt, attempts)
                time.sleep(random.uniform(0, RETRY_BACKOFF * 2**attempt))
        raise AssertionError("unreachable")

    def read(self) -> Any:
        raise NotImplementedError

    def exclusive(self, job: str) -> AbstractContextManager[bool]:
        """A context manager giving True when this process now runs ``job`` alone, False when another does.

        Held for the job's whole run and released when the process dies (no lease to expire): a cron
        that starts a second `lastmile loyalty run` while the first still works gets False. The name is
        checked here, once for every dialect, since it becomes part of a file name or a lock key.
        """
        if not JOB_NAME.fullmatch(job):
            raise ValueError(f"job name {job!r}")
        return self._job_lock(job)

    def _job_lock(self, job: str) -> AbstractContextManager[bool]:
        """The dialect's lock for ``job`` (a checked name): see ``exclusive``."""
        raise NotImplementedError

    def snapshot(self) -> Any:
        raise NotImplementedError

    def migrate(self, stores: Sequence[ModuleType]) -> list[str]:
        raise NotImplementedError

    def ping(self) -> int:
        """How many migrations are recorded; raises when the database cannot be read (health checks)."""
        return self.read().execute("SELECT count(*) FROM migrations").fetchone()[0]

    def close(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    """The SQLite file: ``write()`` for the one writer, ``read()`` for per-thread readers."""

    dialect = SQLITE

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _private_files(self.path)
        self._write_lock = threading.RLock()
        self._writer = _connect(self.path)
        self._local = threading.local()
        self._readers: list[SqliteConnection] = []
        self._readers_lock = threading.Lock()
        self._generation_lock = threading.Lock()
        self.generation = 0
        self._cache_changes: int | None = None  # cache_changes.n when last looked at
        _private_files(self.path)  # the -wal and -shm files exist now
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def watch(self, on_poke: Callable[[int], None] | None = None) -> None:
        """Bump ``generation`` when another connection (another worker, the CLI) commits a change to what the
        product cache shows (``cache_changes``).

        ``PRAGMA data_version`` changes on a connection when any other connection committed; a thread
        looks every WATCH_INTERVAL. Pokes stay in-process on SQLite: other workers' streams notice at
        their heartbeat (``on_poke`` is not called from here).
        """
        with self._generation_lock:
            if self._watcher is not None:
                return
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            # The first look happens here, not in the thread: a commit after watch() returns must count.
            seen = conn.execute("PRAGMA data_version").fetchone()[0]
            self._watcher = threading.Thread(
                target=self._watch, args=(conn, seen), daemon=True, name="lastmile-db-watch"
            )
        self._watcher.start()

    def _watch(self, conn: sqlite3.Connection, seen: int) -> None:
        try:
            while not self._stop.wait(WATCH_INTERVAL):
                now = conn.execute("PRAGMA data_version").fetchone()[0]
                if now != seen:
                    seen = now  # someone committed: was it something the cache shows?
                    self._look_at_cache_changes(conn)
        finally:
            conn.close()

    def _look_at_cache_changes(self, conn: sqlite3.Connection) -> None:
        """Bump ``generation`` if the cached tables changed since the last look (any connection, any process)."""
        try:
            now = conn.execute(READ_CACHE_CHANGES).fetchone()[0]
        except sqlite3.OperationalError:  # not migrated yet: anything may have changed
            now = None
        with self._generation_lock:
            if now is None or now != self._cache_changes:
                self._cache_changes = now
                self.generation += 1

    @contextmanager
    def write(self) -> Iterator[SqliteConnection]:
        """One write transaction (BEGIN IMMEDIATE), serialised with every other writer; nested calls join it."""
        with self._write_lock:
            conn = self._writer.conn
            if conn.in_transaction:
                # Re-entrant use from inside a transaction joins it, so composed store calls stay atomic.
                yield self._writer
                return
            conn.execute("BEGIN IMMEDIATE")
            self._local.writing = True
            try:
                yield self._writer
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                # Looked at after the commit, so anything read under the old number may be stale, never the
                # reverse; a local read of one row (the watcher would notice too, but only within WATCH_INTERVAL).
                self._look_at_cache_changes(conn)
            finally:
                self._local.writing = False

    def in_write(self) -> bool:
        return getattr(self._local, "writing", False)

    @contextmanager
    def _job_lock(self, job: str) -> Iterator[bool]:
        """An advisory ``flock`` on a file beside the database (SQLite is one host's: every runner sees it)."""
        path = self.path.with_name(f"{self.path.name}.{job}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def read(self) -> SqliteConnection:
        """This thread's read connection (WAL readers never block the writer)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = _connect(self.path)
            self._local.db = db
            with self._readers_lock:
                self._readers.append(db)
        return db

    @contextmanager
    def snapshot(self) -> Iterator[SqliteConnection]:
        """A read transaction: several queries that see one consistent state."""
        db = self.read()
        db.conn.execute("BEGIN")
        try:
            yield db
        finally:
            db.conn.execute("COMMIT")

    def migrate(self, stores: Sequence[ModuleType]) -> list[str]:
        """Apply each store's numbered ``MIGRATIONS`` not yet recorded; return what was applied.

        A migration step is SQL text, or a function of the write transaction for data changes SQL cannot
        express (sealing rows written before encryption at rest).
        """
        applied: list[str] = []
        with self.write() as db:
            db.execute(MIGRATIONS_TABLE)
            db.execute(SEQUENCES_TABLE)
            for sql in CACHE_CHANGES_TABLE:
                db.execute(sql)
            recorded = {(d, n) for d, n in db.execute("SELECT domain, number FROM migrations").fetchall()}
        for store in stores:
            domain = store.DOMAIN
            for number, name, statements in store.MIGRATIONS:
                if (domain, number) in recorded:
                    continue  # one read for all, not a transaction per migration (every start, every test)
                with self.write() as db:
                    done = db.execute(
                        "SELECT 1 FROM migrations WHERE domain = ? AND number = ?", [domain, number]
                    ).fetchone()
                    if done:
                        continue
                    run_migration_steps(statements, SQLITE, db, db.execute)
                    db.execute(
                        "INSERT INTO migrations (domain, number, name) VALUES (?, ?, ?)",
                        [domain, number, name],
                    )
                applied.append(f"{domain}:{number:03d} {name}")
        return applied

    def close(self) -> None:
        """Close every connection this object opened (and stop the watcher)."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join()
        with self._readers_lock:
            for db in self._readers:
                db.conn.close()
            self._readers.clear()
        self._writer.conn.close()
