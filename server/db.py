"""SQLite wiring: WAL, one writer under a lock, a reader connection per thread, numbered migrations."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Iterator, Sequence

FILE_MODE = 0o600

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


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


def _connect(path: Path | str) -> sqlite_utils.Database:
    # isolation_level=None: no implicit transactions, so every write is an explicit BEGIN IMMEDIATE.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    # busy_timeout before WAL: switching journal mode itself may wait for another connection.
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    # Deleted and overwritten content is zeroed, so erased or re-sealed personal values leave no plain copy.
    conn.execute("PRAGMA secure_delete = ON")
    return sqlite_utils.Database(conn)


class Database:
    """The application's database: ``write()`` for the one writer, ``read()`` for per-thread readers.

    Domain stores take this object and never open connections themselves, so a PostgreSQL-backed
    twin with the same two methods could stand in later.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _private_files(self.path)
        self._write_lock = threading.RLock()
        self._writer = _connect(self.path)
        self._local = threading.local()
        self._readers: list[sqlite_utils.Database] = []
        self._readers_lock = threading.Lock()
        self.generation = 0
        """Commits made through this object; in-process caches compare it to know nothing changed since."""
        _private_files(self.path)  # the -wal and -shm files exist now

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction (BEGIN IMMEDIATE), serialised with every other writer; nested calls join it."""
        with self._write_lock:
            conn = self._writer.conn
            if conn.in_transaction:
                # Re-entrant use from inside a transaction joins it, so composed store calls stay atomic.
                yield self._writer
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                # Bumped after the commit, so anything read under the old number may be stale, never the reverse.
                self.generation += 1

    def read(self) -> sqlite_utils.Database:
        """This thread's read connection (WAL readers never block the writer)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = _connect(self.path)
            self._local.db = db
            with self._readers_lock:
                self._readers.append(db)
        return db

    @contextmanager
    def snapshot(self) -> Iterator[sqlite_utils.Database]:
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
            db.execute(
                "CREATE TABLE IF NOT EXISTS migrations ("
                " domain TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
                " PRIMARY KEY (domain, number))"
            )
        for store in stores:
            domain = store.DOMAIN
            for number, name, statements in store.MIGRATIONS:
                with self.write() as db:
                    done = db.execute(
                        "SELECT 1 FROM migrations WHERE domain = ? AND number = ?", [domain, number]
                    ).fetchone()
                    if done:
                        continue
                    for statement in statements:
                        if callable(statement):
                            statement(db)
                        else:
                            db.execute(statement)
                    db.execute(
                        "INSERT INTO migrations (domain, number, name) VALUES (?, ?, ?)",
                        [domain, number, name],
                    )
                applied.append(f"{domain}:{number:03d} {name}")
        return applied

    def ping(self) -> int:
        """How many migrations are recorded; raises when the database cannot be read (health checks)."""
        return self.read().execute("SELECT count(*) FROM migrations").fetchone()[0]

    def close(self) -> None:
        """Close every connection this object opened."""
        with self._readers_lock:
            for db in self._readers:
                db.conn.close()
            self._readers.clear()
        self._writer.conn.close()
