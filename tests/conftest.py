"""Shared fixtures: a fresh migrated database (SQLite and PostgreSQL), settings in a temp dir, a test client, helpers.

``fresh_db`` (and so ``client``) runs each test twice: on a SQLite file and on a database of a throwaway
PostgreSQL cluster started once per session (tests/pg_cluster.py). A module that must stay on SQLite
overrides the ``db_kind`` fixture (tests/browser/conftest.py does).
"""

from __future__ import annotations

import io
import os
import random
from typing import Iterator

import psycopg
import pytest
from litestar.testing import TestClient

from catalog import store as catalog_store
from clock import now_iso
from server.app import create_app
from server.db import Database
from server.settings import Settings
from server.stores import STORES, open_database
from tests.pg_cluster import Cluster, PostgresMissing

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
TEST_SCRYPT_N = 2**10


class PgTestDatabase:
    """The session's PostgreSQL database, migrated once and emptied before each test that uses it.

    Emptying (DELETE from every table with triggers off, sequences restarted: ~50 ms) is much faster
    than CREATE DATABASE ... TEMPLATE (~1 s on this machine), so every test runs on one database.
    """

    def __init__(self, cluster: Cluster, name: str = "lastmile_test"):
        from server.postgres import PostgresDatabase

        self.cluster = cluster
        cluster.execute(f"CREATE DATABASE {name}")
        self.url = cluster.url(name)
        database = PostgresDatabase(self.url)
        database.migrate(STORES)
        database.close()
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
def pg_test_database(pg_cluster) -> Iterator[PgTestDatabase]:
    """The session's migrated PostgreSQL database."""
    database = PgTestDatabase(pg_cluster)
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
    # scrypt_n: a test-only low cost (production keeps 2**17; tests/api/test_accounts.py asserts that default).
    base = Settings(data_dir=tmp_path / "var", admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N)
    if "db_kind" in request.fixturenames and request.getfixturevalue("db_kind") == "postgresql":
        base = base.with_(database_url=request.getfixturevalue("pg_url"), db_pool_size=4)
    return base


@pytest.fixture
def fresh_db(db_kind, settings) -> Iterator[Database]:
    """A new, fully migrated database."""
    database = open_database(settings)
    yield database
    database.close()


@pytest.fixture
def client(settings, fresh_db) -> Iterator[TestClient]:
    """A Litestar test client over the whole app on the fresh database."""
    with TestClient(create_app(settings, fresh_db)) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    """Headers that pass the admin guard."""
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def add_product(database: Database, product_id: str, **fields) -> None:
    """Upsert one product with sensible defaults (tests override what they care about)."""
    row = {
        "id": product_id,
        "name": fields.pop("name", f"Product {product_id}"),
        "description": fields.pop("description", "A product used in tests."),
        "price": fields.pop("price", 1000),
        "currency": fields.pop("currency", "EUR"),
        "category": fields.pop("category", "misc"),
        "stock": fields.pop("stock", 10),
    }
    images = fields.pop("images", [])
    assert not fields, f"unknown fields {fields}"
    with database.write() as db:
        catalog_store.upsert_product(db, row, images, now_iso())


def jpeg_bytes(width: int = 64, height: int = 48, seed: int = 1, **save) -> bytes:
    """A small noisy JPEG (noise so that it is not trivially compressible)."""
    from PIL import Image

    rng = random.Random(seed)
    image = Image.effect_noise((width, height), 40 + rng.random() * 20).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "JPEG", **save)
    return buf.getvalue()


def database_dump(database: Database) -> str:
    """Every row of every table as text (to check what is, and is not, stored), on either database."""
    if database.dialect == "sqlite":
        return "\n".join(database.read().conn.iterdump())
    with database.snapshot() as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        return "\n".join(row[0] for t in tables for row in db.execute(f"SELECT x::text FROM {t} x").fetchall())


def session_headers(session: dict) -> dict[str, str]:
    """Headers for a signup/login answer: its bearer token, and its ids in ``X-Test-User``/``-Device``."""
    return {
        "Authorization": f"Bearer {session['token']}",
        "X-Test-User": str(session["userId"]),
        "X-Test-Device": str(session["deviceId"]),
    }


def apply_patch(view: dict, patch: list[dict]) -> None:
    """Apply a pull's patch to a client view, as a client does (clear, then puts and deletes in order)."""
    for op in patch:
        if op["op"] == "clear":
            view.clear()
        elif op["op"] == "put":
            view[op["key"]] = op["value"]
        else:
            view.pop(op["key"], None)


def sign_up(client, email: str = "shopper@example.com", password: str = "correct horse battery", device: str = "phone") -> dict[str, str]:
    """Create a shopper through the API; headers carrying their bearer token (ids in ``X-Test-User``/``-Device``)."""
    response = client.post("/api/auth/signup", json={"email": email, "password": password, "deviceName": device})
    assert 201 == response.status_code, response.text
    return session_headers(response.json())


def log_in(client, email: str = "shopper@example.com", password: str = "correct horse battery", device: str = "laptop") -> dict[str, str]:
    """Sign another device of an existing shopper in; headers as sign_up gives."""
    response = client.post("/api/auth/login", json={"email": email, "password": password, "deviceName": device})
    assert 200 == response.status_code, response.text
    return session_headers(response.json())
