"""`lastmile db copy --to postgresql://...`: a SQLite shop moves into an empty PostgreSQL database, counted."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.cli.main import main
from server.postgres import PostgresDatabase
from tests.utils import ADMIN_TOKEN, add_product, log_in, sign_up


@pytest.fixture
def db_kind() -> str:
    """The source is always the SQLite file; the target is pg_url."""
    return "sqlite"


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LASTMILE_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("LASTMILE_SCRYPT_N", str(settings.scrypt_n))
    return settings


def test_a_shop_is_copied_counted_and_served_from_postgresql(cli_env, client, fresh_db, pg_url, capsys):
    settings = cli_env
    add_product(fresh_db, "MUG-1", stock=5, price=1200, name="Enamel camping mug")
    add_product(fresh_db, "CUP-1", stock=9, name="Porcelain tea cup")
    headers = sign_up(client, "ana@example.com")
    body = {"clientId": "c0ffee00-0000-4000-8000-000000000001", "schemaVersion": 1,
            "mutations": [{"id": 1, "name": "cart.add", "args": {"sku": "MUG-1", "qty": 2}, "at": 1}]}
    assert 200 == client.post("/api/sync/push", headers=headers, json=body).status_code
    assert 201 == client.post("/api/orders", headers={**headers, "Idempotency-Key": "k1"}, json={}).status_code

    assert 0 == main(["db", "copy", "--to", pg_url, "--quiet"])
    assert "copied and counted" in capsys.readouterr().out

    target = PostgresDatabase(pg_url, max_size=2)
    pg_settings = settings.with_(database_url=pg_url)
    try:
        with TestClient(create_app(pg_settings, target)) as pg_client:
            assert 3 == pg_client.get("/api/products/MUG-1").json()["stock"]  # 5 less the order's 2
            # The search index is SQLite's FTS5 there: rebuilt on the target, so search finds copied products.
            found = pg_client.get("/api/products", params={"q": "camping"}).json()["items"]
            assert ["MUG-1"] == [item["id"] for item in found]
            ana = log_in(pg_client, "ana@example.com")  # sealed email and password hash came along
            assert 1 == len(pg_client.get("/api/orders", headers=ana).json()["items"])
            # New rows take ids past the copied ones (identity columns and sequences were moved on).
            sign_up(pg_client, "ben@example.com")
            add_product(target, "MUG-1", stock=7)
            with target.snapshot() as db:
                assert 2 == db.execute("SELECT count(*) FROM users").fetchone()[0]
                versions = [r[0] for r in db.execute("SELECT version FROM products ORDER BY id").fetchall()]
            assert len(set(versions)) == len(versions)
    finally:
        target.close()  # its LISTEN thread would otherwise outlive the test's database


def test_a_target_that_holds_data_is_refused(cli_env, fresh_db, pg_url, capsys):
    add_product(fresh_db, "MUG-1")
    assert 0 == main(["db", "copy", "--to", pg_url, "--quiet"])
    capsys.readouterr()
    assert 1 == main(["db", "copy", "--to", pg_url, "--quiet"])
    assert "not empty" in capsys.readouterr().err


def test_a_url_that_is_not_postgresql_is_refused(cli_env, capsys):
    assert 2 == main(["db", "copy", "--to", "mysql://secret@host/db"])
    err = capsys.readouterr().err
    assert "--to must be a postgresql:// URL" in err and "secret" not in err
