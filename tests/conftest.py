"""Shared fixtures: a fresh migrated database (SQLite and PostgreSQL), settings in a temp dir, a test client.

``fresh_db`` (and so ``client``) runs each test twice: on a SQLite file and on a database of a throwaway
PostgreSQL cluster started once per session (tests/pg_cluster.py). A module that must stay on SQLite
overrides the ``db_kind`` fixture (tests/browser/conftest.py does).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from litestar.testing import TestClient

from server.db import Database
from server.settings import Settings
from server.stores import STORES, open_database
from tests.pg_cluster import Cluster, PostgresMissing
from server.wiring import Hooks, install
from tests.built_app import app_for
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N


class PgTestDatabase:
    """The session's PostgreSQL database, migrated once and emptied before each test that uses it.

    Emptying (DELETE from every table with triggers off, sequences restarted: ~50 ms) is much faster
    than CREATE DATABASE ... TEMPLATE (~1 s on this machine), so every test runs on one database.
    """

    def __init__(self, cluster: Cluster, data_dir, name: str = "lastmile_test"):
        self.cluster = cluster
        cluster.execute(f"CREATE DATABASE {name}")
        self.url = cluster.url(name)
        # Migrations may seal rows, so they run with data keys installed (those of a session data dir).
        open_database(Settings(data_dir=data_dir, database_url=self.url)).close()
        self._conn = psycopg.connect(self.url, autocommit=True)
        tables = [r[0] for r in self._conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1")]
        sequences = [r[0] for r in self._conn.execute("SELECT relname FROM pg_class WHERE relkind = 'S' ORDER BY 1")]
        self._reset = (
            "SET session_replication_role = replica;"  # no triggers (append-only ledger) and no FK checks while emptying
            + "".join(f"DELETE FROM {t};" for t in tables)
            + "".join(f"ALTER SEQUENCE {q} RESTART;" for q in sequences)
            + "SET session_replication_role = DEFAULT;"
        )

    def empty(self) -> str:
        """Empty every table (migrations stay recorded); the database's URL."""
        self._conn.execute(self._reset)
        return self.url

    def close(self) -> None:
        self._conn.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster for the whole session; skipped if PostgreSQL is not installed.

    Under CI=true a missing PostgreSQL fails instead: the tests on it must run there.
    """
    try:
        cluster = Cluster().start()
    except PostgresMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and PostgreSQL is missing: {exc}")
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_test_database(pg_cluster, tmp_path_factory) -> Iterator[PgTestDatabase]:
    """The session's migrated PostgreSQL database."""
    database = PgTestDatabase(pg_cluster, tmp_path_factory.mktemp("pg-session") / "var")
    yield database
    database.close()


@pytest.fixture
def pg_url(pg_test_database) -> str:
    """The URL of an empty, migrated PostgreSQL database for this test."""
    return pg_test_database.empty()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request) -> str:
    """Which database ``fresh_db`` opens."""
    return request.param


@pytest.fixture
def settings(request, tmp_path) -> Settings:
    """Settings whose data dir is this test's temp dir (and whose database is fresh_db's)."""
    base = Settings(data_dir=tmp_path / "var", admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N)
    if "db_kind" in request.fixturenames and request.getfixturevalue("db_kind") == "postgresql":
        base = base.with_(database_url=request.getfixturevalue("pg_url"), db_pool_size=4)
    return base


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with every migration applied, made once: each SQLite test starts from a copy.

    Migrating a new file costs ~0.2 s (dozens of migrations); copying it costs a millisecond. The
    migrations of an empty database seal nothing, so the copy holds nothing tied to this data dir's keys.
    """
    settings = Settings(data_dir=tmp_path_factory.mktemp("sqlite-template") / "var", scrypt_n=TEST_SCRYPT_N)
    open_database(settings).close()
    return settings.database_path


@pytest.fixture
def fresh_db(request, db_kind, settings) -> Iterator[Database]:
    """A new, fully migrated database."""
    if db_kind == "sqlite" and not settings.database_url:
        settings.database_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), settings.database_path)
    database = open_database(settings)
    yield database
    database.close()


@pytest.fixture
def hooks() -> Hooks:
    """The cross-room hooks the test app runs with: every room's (a test module overrides this to add stand-ins)."""
    return install()


@pytest.fixture
def client(settings, fresh_db, hooks) -> Iterator[TestClient]:
    """A Litestar test client over the whole app on the fresh database."""
    with TestClient(app_for(settings, fresh_db, hooks)) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    """Headers that pass the admin guard."""
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
