"""`lastmile keys rotate|retire|status`: every sealed value moves to the new key; nothing is lost on the way."""

from __future__ import annotations

import re
import stat

import pytest
from litestar.testing import TestClient

from accounts import vault
from server.cli.main import main
from server.push_runtime import push_runtime
from tests.push_double import PushDouble
from tests.built_app import app_for
from tests.utils import BIRTHDAY, log_in, plant_personal_data, point_cli_at, stored_bytes

KIDS = re.compile(rb"~(k[0-9]+)\.")


@pytest.fixture
def env(monkeypatch, settings):
    point_cli_at(monkeypatch, settings)
    monkeypatch.delenv("LASTMILE_DATA_KEYS", raising=False)
    return settings


@pytest.fixture
def planted(env, fresh_db):
    """A shopper with every kind of personal value, and an app to check them through afterwards."""
    with PushDouble(push_runtime(env).public_key) as double:
        app = app_for(env.with_(push_test_origins=(double.origin,)), fresh_db)
        with TestClient(app) as client:
            yield client, plant_personal_data(client, double)


def kids_in(database) -> set[bytes]:
    return set(KIDS.findall(stored_bytes(database)))


def assert_still_readable(client) -> None:
    headers = log_in(client, email="PRIVATE.person@example.com")
    me = client.get("/api/me", headers=headers).json()
    assert "private.person@example.com" == me["email"]
    pulled = client.post("/api/sync/pull", headers=headers, json={"clientId": "after-rotation"}).json()
    assert BIRTHDAY in [op.get("value") for op in pulled["patch"]]
    assert 1 == len(client.get("/api/push/subscriptions", headers=headers).json())


def test_rotate_moves_every_value_to_a_new_key_then_retire_drops_the_old(planted, fresh_db, env, capsys):
    client, _ = planted
    assert {b"k1"} == kids_in(fresh_db)
    assert 0 == main(["keys", "rotate", "--quiet"])
    assert "now sealed under k2" in capsys.readouterr().out
    keys_file = env.data_dir / vault.KEY_FILE
    assert ["k2", "k1"] == [line.split(":")[0] for line in keys_file.read_text().split()]
    assert 0o600 == stat.S_IMODE(keys_file.stat().st_mode)
    fresh_db.close()  # checkpoint: the rows as re-sealed, not the WAL's older pages
    from server.stores import open_database

    database = open_database(env)
    assert {b"k2"} == kids_in(database)
    with TestClient(app_for(env, database)) as again:
        assert_still_readable(again)
        assert 0 == main(["keys", "status"])
        assert "0 not yet under k2" in capsys.readouterr().out
        assert 0 == main(["keys", "retire"])
        assert "dropped k1" in capsys.readouterr().out
        assert ["k2"] == [line.split(":")[0] for line in keys_file.read_text().split()]
        assert_still_readable(again)
    database.close()


def test_retire_refuses_while_values_need_an_old_key(planted, env, capsys):
    from accounts import key_rotation

    key_rotation.add_file_key(env.data_dir)  # a new key, nothing re-sealed yet
    assert 1 == main(["keys", "retire"])
    assert "still need older keys" in capsys.readouterr().err
    assert ["k2", "k1"] == [line.split(":")[0] for line in (env.data_dir / vault.KEY_FILE).read_text().split()]


def test_rotate_follows_the_configured_keys(planted, env, monkeypatch, capsys):
    client, _ = planted
    old = vault.load_keyring(env.data_dir)
    fresh = vault.new_key("k9")
    monkeypatch.setenv("LASTMILE_DATA_KEYS", vault.Keyring((fresh, *old.keys)).text().replace("\n", ",").rstrip(","))
    assert 0 == main(["keys", "rotate", "--quiet"])
    out = capsys.readouterr().out
    assert "now sealed under k9" in out and "LASTMILE_DATA_KEYS" in out
    vault.install(vault.Keyring((fresh,)))  # the old key gone: everything must open with k9 alone
    assert_still_readable(client)


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer: nobody writes between the read and the write
def test_rotation_keeps_what_another_process_wrote_meanwhile(fresh_db, settings, monkeypatch):
    """Re-sealing reads a row, then rewrites it: an erasure committed between the two is not undone."""
    from accounts import key_rotation
    from accounts import store as accounts_store
    from server.postgres import PostgresDatabase

    with fresh_db.write() as db:
        user_id = accounts_store.create_user(db, "erase.me@example.com", "hash", 0)
    key_rotation.add_file_key(settings.data_dir)  # the email is now sealed under an older key
    unseal, erased = vault.unseal, []

    def erased_meanwhile(kind, value):  # the rotation has read the row; another server erases the account now
        if not erased:
            erased.append(True)
            other = PostgresDatabase(settings.database_url, max_size=1)
            with other.write() as db:
                assert accounts_store.erase_user(db, user_id, 1)
            other.close()
        return unseal(kind, value)

    monkeypatch.setattr(vault, "unseal", erased_meanwhile)
    key_rotation.reseal_everything(fresh_db, accounts_store.SEALED)
    monkeypatch.setattr(vault, "unseal", unseal)
    assert erased
    db = fresh_db.read()
    assert f"erased-{user_id}@erased.invalid" == accounts_store.user_by_id(db, user_id)["email"]
    assert accounts_store.user_id_by_email(db, "erase.me@example.com") is None
    assert not any(key_rotation.stale_counts(fresh_db, accounts_store.SEALED).values())
