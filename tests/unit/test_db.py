"""The SQLite wiring: pragmas, migrations recorded once, atomic and serialised writes."""

import threading

import pytest

from server.db import SqliteDatabase
from server.stores import STORES
from tests.utils import start_and_join


@pytest.fixture
def db_kind() -> str:
    """These are SQLite's wiring (tests/unit/test_postgres.py has PostgreSQL's)."""
    return "sqlite"


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(fresh_db):
    db = fresh_db.read()
    assert "wal" == db.execute("PRAGMA journal_mode").fetchone()[0]
    assert 1 == db.execute("PRAGMA foreign_keys").fetchone()[0]
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrations_are_numbered_recorded_and_applied_once(fresh_db):
    recorded = [(r["domain"], r["number"]) for r in fresh_db.read().query("SELECT domain, number FROM migrations")]
    expected = [(store.DOMAIN, number) for store in STORES for number, _, _ in store.MIGRATIONS]
    assert sorted(expected) == sorted(recorded)
    assert [] == fresh_db.migrate(STORES)


def test_a_failed_write_changes_nothing(fresh_db):
    with pytest.raises(RuntimeError):
        with fresh_db.write() as db:
            db.execute("CREATE TABLE t (x INTEGER)")
            db.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
    assert [] == list(fresh_db.read().query("SELECT name FROM sqlite_master WHERE name = 't'"))


def test_nested_writes_join_the_outer_transaction(fresh_db):
    with fresh_db.write() as db:
        db.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        with fresh_db.write() as outer:
            outer.execute("INSERT INTO t VALUES (1)")
            with fresh_db.write() as inner:
                inner.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("after the inner block")
    assert 0 == fresh_db.read().execute("SELECT count(*) FROM t").fetchone()[0]


def test_concurrent_writers_are_serialised(fresh_db):
    with fresh_db.write() as db:
        db.execute("CREATE TABLE counter (n INTEGER)")
        db.execute("INSERT INTO counter VALUES (0)")

    def bump():
        for _ in range(50):
            with fresh_db.write() as db:
                n = db.execute("SELECT n FROM counter").fetchone()[0]
                db.execute("UPDATE counter SET n = ?", [n + 1])

    threads = [threading.Thread(target=bump) for _ in range(8)]
    start_and_join(threads)
    assert 400 == fresh_db.read().execute("SELECT n FROM counter").fetchone()[0]


def test_a_second_process_style_connection_waits_instead_of_failing(settings, fresh_db):
    other = SqliteDatabase(settings.database_path)  # as another worker process would open it
    with fresh_db.write() as db:
        db.execute("CREATE TABLE t (x INTEGER)")
    with other.write() as db:
        db.execute("INSERT INTO t VALUES (1)")
    assert 1 == fresh_db.read().execute("SELECT count(*) FROM t").fetchone()[0]
    other.close()


def test_another_connections_catalog_change_moves_the_generation_and_other_commits_do_not(settings, fresh_db):
    """The watcher tells a change the product cache shows (cache_changes) from any other commit, which moves
    PRAGMA data_version too: another worker's sync pushes and metrics flushes must not empty this one's cache."""
    import time

    from server.db import WATCH_INTERVAL
    from tests.utils import add_product

    fresh_db.watch()
    with fresh_db.write() as db:
        db.execute("CREATE TABLE t (x INTEGER)")
    seen = fresh_db.generation
    other = SqliteDatabase(settings.database_path)  # another worker process or the CLI
    with other.write() as db:
        db.execute("INSERT INTO t VALUES (1)")
    time.sleep(5 * WATCH_INTERVAL)  # the watcher has looked (and seen data_version move) meanwhile
    assert seen == fresh_db.generation
    add_product(other, "W-1")
    other.close()
    for _ in range(200):  # the watcher looks every WATCH_INTERVAL
        if fresh_db.generation != seen:
            break
        time.sleep(0.025)
    assert fresh_db.generation > seen
