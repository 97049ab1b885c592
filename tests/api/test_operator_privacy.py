"""Operators' personal data at rest: emails and TOTP secrets sealed, emails found by blind index, keys rotate."""

from __future__ import annotations

import base64
import logging
import re
import time
from types import SimpleNamespace

import pytest

from accounts import vault
from accounts.passwords import hash_password
from operators import service
from operators import store as operators_store
from operators.errors import SignInFailed
from operators.models import ADMIN_TOKEN_PRINCIPAL
from server.cli.main import main
from server.db import SqliteDatabase
from server.stores import open_database
from tests.operator_support import PASSWORD, POLICY, code, console_sign_in, make_operator, secret_of
from tests.utils import point_cli_at, raw_database_bytes, stored_bytes

EMAIL = "Olive.Operator@Example.com"
KIDS = re.compile(rb"~(k[0-9]+)\.")


def secret_forms(uri: str) -> list[bytes]:
    """The TOTP secret as raw bytes and as the base32 text an authenticator shows."""
    secret = secret_of(uri)
    return [secret, base64.b32encode(secret).rstrip(b"=")]


def assert_nothing_plain(raw: bytes, uri: str) -> None:
    assert b"olive.operator" not in raw.lower()
    assert [] == [form for form in secret_forms(uri) if form in raw]


def test_an_operator_email_and_totp_secret_are_never_stored_in_plain_text(fresh_db):
    uri = make_operator(fresh_db, EMAIL, "owner")
    service.sign_in(fresh_db, POLICY, "  olive.OPERATOR@example.COM ", PASSWORD, code(uri), "10.0.0.9")
    with pytest.raises(SignInFailed):
        service.sign_in(fresh_db, POLICY, EMAIL, "wrong password!!", "000000", "10.0.0.9")
    service.issue_token(fresh_db, EMAIL, "nightly")
    service.disable_operator(fresh_db, EMAIL)
    service.enable_operator(fresh_db, EMAIL)
    uri = service.reset_2fa(fresh_db, EMAIL).otpauth_uri
    stored = fresh_db.read().execute("SELECT email, email_index, totp_sealed, totp_secret FROM operators").fetchone()
    assert (True, True, b"") == (vault.is_sealed(stored[0]), vault.is_sealed(stored[2]), bytes(stored[3]))
    # The audit log names the operator (who and target) and still reads back in full.
    entries = service.audit_log(fresh_db)
    assert {"olive.operator@example.com", "cli"} == {e.actor for e in entries}
    assert "olive.operator@example.com" in {e.target for e in entries}
    assert_nothing_plain(stored_bytes(fresh_db), uri)
    # The new secret is the one that signs in.
    assert "owner" == service.sign_in(fresh_db, POLICY, EMAIL, PASSWORD, code(uri), "10.0.0.9").info.principal.role


def test_the_console_signs_in_by_email_in_any_case_and_logs_no_email(client, fresh_db, caplog):
    caplog.set_level(logging.DEBUG)
    console_sign_in(client, fresh_db, EMAIL, "support")
    client.cookies.clear()
    page = client.get("/admin/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    failed = client.post("/admin/signin", data={"csrf": csrf, "email": "OLIVE.operator@example.com",
                                                "password": "not the password", "code": "123456", "next": "/admin"})
    assert 401 == failed.status_code
    assert "olive.operator" not in caplog.text.lower()
    assert b"olive.operator" not in stored_bytes(fresh_db).lower()
    keys = [row[0] for row in fresh_db.read().execute("SELECT key_hash FROM operator_signin_attempts")]
    assert 2 == len(keys)
    assert all(re.fullmatch(r"k1\.[0-9a-f]{64}", key) for key in keys), keys  # keyed blind indexes, not plain hashes


def test_the_migration_seals_operators_and_audit_lines_stored_before(settings):
    settings.data_dir.mkdir(parents=True)
    old = SqliteDatabase(settings.database_path)  # the migration's test is SQLite's file: the bytes on disk
    old.migrate([SimpleNamespace(DOMAIN="operators", MIGRATIONS=operators_store.MIGRATIONS[:2])])
    secret = b"operator-secret-0123"
    with old.write() as db:
        db.execute("INSERT INTO operators (email, role, password_hash, totp_secret, created_at) VALUES (?, ?, ?, ?, 1)",
                   ["olive.operator@example.com", "marketer", hash_password(PASSWORD, POLICY.scrypt_n), secret])
        db.execute("INSERT INTO audit_log (at, operator_id, actor, role, action, target) VALUES"
                   " (1, 1, 'olive.operator@example.com', 'marketer', 'signin', '')")
    old.close()
    database = open_database(settings)
    uri = f"otpauth://totp/x?secret={base64.b32encode(secret).decode().rstrip('=')}"
    signed = service.sign_in(database, POLICY, "Olive.Operator@example.com", PASSWORD, code(uri), "10.0.0.1")
    assert "marketer" == signed.info.principal.role
    assert "olive.operator@example.com" == service.audit_log(database)[-1].actor
    database.close()
    assert_nothing_plain(raw_database_bytes(settings.database_path), uri)


def test_keys_rotate_reseals_operators_and_the_audit_log(fresh_db, settings, monkeypatch, capsys):
    point_cli_at(monkeypatch, settings)
    monkeypatch.delenv("LASTMILE_DATA_KEYS", raising=False)
    uri = make_operator(fresh_db, EMAIL, "owner")
    service.sign_in(fresh_db, POLICY, EMAIL, PASSWORD, code(uri), "10.0.0.2")
    assert 0 == main(["keys", "status"])
    assert "operators.email: 0 not yet under k1" in capsys.readouterr().out
    assert 0 == main(["keys", "rotate", "--quiet"])
    assert "now sealed under k2" in capsys.readouterr().out
    fresh_db.close()  # checkpoint: the rows as re-sealed
    database = open_database(settings)
    stored = database.read().execute("SELECT email, email_index, totp_sealed FROM operators").fetchone()
    assert ("k2", "k2", "k2") == (vault.key_id(stored[0]), vault.index_key_id(stored[1]), vault.key_id(stored[2]))
    assert {b"k2"} == set(KIDS.findall(stored_bytes(database)))
    assert 0 == main(["keys", "retire"])
    later = time.time() + 30  # the next step: each code is accepted once
    signed = service.sign_in(database, POLICY, "olive.operator@EXAMPLE.com", PASSWORD, code(uri, later), "10.0.0.2",
                             now=later)
    assert "owner" == signed.info.principal.role
    assert EMAIL.lower() in {e.actor for e in service.audit_log(database)}
    database.close()


ADDRESS = "203.0.113.77"


def test_audit_addresses_are_sealed_at_rest_and_read_back(fresh_db):
    make_operator(fresh_db, EMAIL, "owner")
    with pytest.raises(SignInFailed):
        service.sign_in(fresh_db, POLICY, EMAIL, "wrong password!!", "000000", ADDRESS)
    [line] = [e for e in service.audit_log(fresh_db) if e.address]
    assert ADDRESS == line.address
    assert ADDRESS.encode() not in stored_bytes(fresh_db)


def test_migration_seals_the_addresses_of_older_audit_lines(fresh_db, settings):
    with fresh_db.write() as db:  # a line as migration 3 left it: the address in plain text
        db.execute("INSERT INTO audit_log (at, actor, role, action, target, address) VALUES (1, ?, 'owner', 'signin', ?, ?)",
                   [vault.seal(operators_store.AUDIT, "cli"), vault.seal(operators_store.AUDIT, ""), ADDRESS])
    assert ADDRESS.encode() in stored_bytes(fresh_db)
    with fresh_db.write() as db:
        assert 1 == operators_store.seal_audit_addresses(db)
        assert 0 == operators_store.seal_audit_addresses(db)  # done once
    fresh_db.close()  # checkpoint: the rows as sealed, not the WAL's older pages
    database = open_database(settings)
    assert ADDRESS.encode() not in stored_bytes(database)
    assert [ADDRESS] == [e.address for e in service.audit_log(database)]
    database.close()


def test_the_audit_page_masks_addresses_until_revealed_with_a_reason(client, fresh_db):
    csrf = console_sign_in(client, fresh_db, EMAIL, "owner")
    service.audit(fresh_db, ADMIN_TOKEN_PRINCIPAL, "signin", address=ADDRESS)
    page = client.get("/admin/audit").text
    assert ADDRESS not in page and "203.0.113.*" in page
    assert 422 == client.post("/admin/audit/reveal", data={"csrf": csrf, "reason": "x"}).status_code
    shown = client.post("/admin/audit/reveal", data={"csrf": csrf, "reason": "incident 12: odd sign-ins"})
    assert 200 == shown.status_code and ADDRESS in shown.text
    assert 403 == client.post("/admin/audit/reveal", data={"reason": "incident 12: odd sign-ins"}).status_code  # no CSRF
    details = [e.detail for e in service.audit_log(fresh_db, action_prefix="POST /admin/audit/reveal")]
    assert ["audit log addresses revealed; reason: incident 12: odd sign-ins",
            "audit log addresses revealed; reason: x"] == [d for d in details if d]
