"""Copy a SQLite shop into an empty PostgreSQL database (`lastmile db copy`), verified by row counts.

Tables go in foreign-key order (each table after those it refers to), rows in primary-key order (a
ledger lot refers to itself, a debit to an earlier lot), in one transaction: a failed copy leaves the
target as empty as it was. Afterwards every identity column and named sequence is moved past the
copied values, so new rows never collide with copied ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from catalog import store as catalog_store

from .db import SqliteDatabase
from .postgres import PostgresDatabase

BATCH = 1000
# Not data: the migrations table (the target's own migrate() filled it), the sequences table (replaced
# by PostgreSQL sequences), SQLite's change count for caches (NOTIFY there) and FTS5's tables (the
# target's search index is rebuilt from its products).
SKIPPED = {"migrations", "sequences", "cache_changes"}


class CopyRefused(Exception):
    """The target is not an empty Lastmile database, or the copy did not verify."""


@dataclass
class CopyReport:
    """Rows copied per table (in copy order)."""

    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables(source: SqliteDatabase) -> list[str]:
    db = source.read()
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()]
    virtual = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")}
    shadows = {n for n in names for v in virtual if n.startswith(v + "_")}
    names = [n for n in names if n not in SKIPPED and n not in virtual and n not in shadows]
    refers = {n: {r[2] for r in db.execute(f"PRAGMA foreign_key_list({n})").fetchall()} - {n} for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refers[n] <= set(ordered)]
        if not ready:
            raise CopyRefused(f"foreign keys form a cycle among {sorted(set(names) - set(ordered))}")
        ordered += ready
    return ordered


def _order_by(source: SqliteDatabase, table: str) -> str:
    info = source.read().execute(f"PRAGMA table_info({table})").fetchall()
    pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]  # r[5]: position in the primary key, 0 if not
    return ", ".join(pk) if pk else "rowid"


def copy_sqlite_to_postgres(
    source: SqliteDatabase, target: PostgresDatabase, stores: Sequence, progress: Callable[[int], None] | None = None
) -> CopyReport:
    """Copy every row; CopyRefused when the target already holds data or a count differs afterwards."""
    source.migrate(stores)
    target.migrate(stores)
    tables = _tables(source)
    report = CopyReport()
    with target.write() as pg:
        missing = [t for t in tables if not pg.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ?", [t]).fetchone()]
        if missing:
            raise CopyRefused(f"the target has no table {missing[0]} (is it a Lastmile database of this version?)")
        busy = [t for t in tables if pg.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]
        if busy:
            raise CopyRefused(f"the target is not empty ({busy[0]} has rows); copy only into an empty database")
        with source.snapshot() as lite:
            for table in tables:
                targets = {r[0] for r in pg.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                    " AND table_name = ? AND is_generated = 'NEVER'", [table]).fetchall()}
                columns = [r[1] for r in lite.execute(f"PRAGMA table_info({table})").fetchall() if r[1] in targets]
                names = ", ".join(columns)
                insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
                cursor = lite.conn.execute(f"SELECT {names} FROM {table} ORDER BY {_order_by(source, table)}")
                copied = 0
                while rows := cursor.fetchmany(BATCH):
                    pg.executemany(insert, rows)
                    copied += len(rows)
                    if progress is not None:
                        progress(len(rows))
                report.rows[table] = copied
        for table in tables:
            for (column,) in pg.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = ? AND is_identity = 'YES'", [table]).fetchall():
                pg.execute(
                    "SELECT setval(pg_get_serial_sequence(?, ?),"
                    f" COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                    [table, column])
        for name, value in source.read().execute("SELECT name, value FROM sequences").fetchall():
            pg.execute("SELECT setval(?, ?, false)", [name, value + 1])
        # FTS5's rows are SQLite's own format: the target's search index is built from the copied products.
        catalog_store.reindex_all(pg)
        for table, copied in report.rows.items():
            found = pg.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if found != copied:
                raise CopyRefused(f"{table}: copied {copied} rows but the target counts {found}; nothing was kept")
            expected = source.read().execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if expected != copied:
                raise CopyRefused(f"{table}: the source has {expected} rows, {copied} were copied; nothing was kept")
    return report


def count_rows(source: SqliteDatabase) -> int:
    """Rows the copy will move (for the progress bar)."""
    db = source.read()
    return sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _tables(source))
