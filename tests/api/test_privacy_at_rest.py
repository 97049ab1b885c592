"""Encryption at rest: personal values planted through the API never sit in a database file in plain text."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from accounts import store as accounts_store
from accounts import totp, vault
from server.db import SqliteDatabase
from server.stores import open_database
from tests.built_app import app_for
from tests.utils import BIRTHDAY, log_in, plant_personal_data, raw_database_bytes, sign_up, stored_bytes

EMAIL = "Private.Person@Example.com"


def test_login_by_email_works_in_any_case_though_only_sealed_emails_are_stored(client, fresh_db):
    sign_up(client, email=EMAIL)
    log_in(client, email="  private.person@EXAMPLE.COM ")
    stored = fresh_db.read().execute("SELECT email, email_index FROM users").fetchone()
    assert vault.is_sealed(stored[0]) and "private" not in stored[0] + stored[1]
    assert 409 == client.post("/api/auth/signup", json={"email": "PRIVATE.person@example.com", "password": "another password"}).status_code


def test_totp_secrets_are_sealed_and_still_checked(client, fresh_db):
    headers = sign_up(client, email=EMAIL)
    enrolment = client.post("/api/auth/totp/enrol", headers=headers).json()
    raw, old = fresh_db.read().execute("SELECT totp_sealed, totp_secret FROM users").fetchone()
    assert vault.is_sealed(raw) and old is None
    stored_secret = accounts_store.user_by_id(fresh_db.read(), 1)["totp_secret"]
    assert enrolment["secret"] == totp.secret_text(stored_secret)
    code = totp.code_at(stored_secret, time.time())
    assert 204 == client.post("/api/auth/totp/confirm", json={"code": code}, headers=headers).status_code
    assert enrolment["secret"].encode() not in stored_bytes(fresh_db)


def test_no_email_is_in_any_database_file(client, fresh_db):
    sign_up(client, email=EMAIL)
    log_in(client, email=EMAIL)
    assert b"private.person" not in stored_bytes(fresh_db).lower()


@pytest.mark.parametrize("db_kind", ["sqlite"])  # file modes are SQLite's (PostgreSQL's files are the server's)
def test_the_database_files_are_only_for_their_owner(client, fresh_db, settings):
    sign_up(client)
    modes = {suffix: stat.S_IMODE(Path(f"{fresh_db.path}{suffix}").stat().st_mode) for suffix in ("", "-wal", "-shm")}
    assert {"": 0o600, "-wal": 0o600, "-shm": 0o600} == modes
    assert 0o600 == stat.S_IMODE((settings.data_dir / vault.KEY_FILE).stat().st_mode)


def test_an_old_world_readable_database_is_tightened(settings):
    settings.data_dir.mkdir(parents=True)
    settings.database_path.touch(mode=0o644)
    settings.database_path.chmod(0o644)
    SqliteDatabase(settings.database_path).close()
    assert 0o600 == stat.S_IMODE(settings.database_path.stat().st_mode)


def test_the_migration_seals_rows_written_before_encryption(settings, client_for):
    settings.data_dir.mkdir(parents=True)
    old = SqliteDatabase(settings.database_path)
    old.migrate([SimpleNamespace(DOMAIN="accounts", MIGRATIONS=accounts_store.MIGRATIONS[:1])])
    from accounts.passwords import hash_password

    with old.write() as db:
        db.execute(
            "INSERT INTO users (email, password_hash, created_at, totp_secret, totp_enabled) VALUES (?, ?, ?, ?, 0)",
            ["old.timer@example.com", hash_password("correct horse battery", settings.scrypt_n), 1, b"0123456789abcdefghij"],
        )
    old.close()
    database = open_database(settings)
    row = database.read().execute("SELECT email, totp_sealed FROM users").fetchone()
    assert vault.is_sealed(row[0]) and vault.is_sealed(row[1])
    assert b"0123456789abcdefghij" == accounts_store.user_by_id(database.read(), 1)["totp_secret"]
    with client_for(database) as client:
        log_in(client, email="Old.Timer@example.com")
    database.close()
    assert b"old.timer" not in raw_database_bytes(settings.database_path)


@pytest.fixture
def client_for(settings):
    """A test client over the app on a given database."""
    from litestar.testing import TestClient

    return lambda database: TestClient(app_for(settings, database))


def test_no_personal_value_planted_through_the_api_is_in_a_database_file(settings, fresh_db):
    from litestar.testing import TestClient

    from server.push_runtime import push_runtime
    from tests.push_double import PushDouble

    with PushDouble(push_runtime(settings).public_key) as double:
        app = app_for(settings.with_(push_test_origins=(double.origin,)), fresh_db)
        with TestClient(app) as client:
            planted = plant_personal_data(client, double)
            headers = log_in(client, email=planted["email"].decode())
            pulled = client.post("/api/sync/pull", headers=headers, json={"clientId": "privacy-client-2"}).json()
            view = {op["key"]: op.get("value") for op in pulled["patch"] if "key" in op}
            assert (BIRTHDAY, "Zebediah") == (view["prefs/birthday"], view["prefs/nickname"])
    raw = stored_bytes(fresh_db)
    assert [] == [name for name, value in planted.items() if value in raw or value.lower() in raw.lower()]
