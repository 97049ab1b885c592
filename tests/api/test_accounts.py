"""Accounts API: signup, login, tokens (hashed, revocable, expiring), devices, TOTP, rate limits, bad input."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from accounts import passwords, service, totp
from accounts import store as accounts_store
from accounts.errors import NotAuthenticated
from server.http.auth import auth_policy
from server.settings import Settings, SettingsError, load_settings
from tests.built_app import app_for
from tests.utils import assert_problem, database_dump, log_in, sign_up

PASSWORD = "correct horse battery"


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].split(" ", 1)[1]


def test_production_password_cost_is_the_default():
    assert 2**17 == Settings().scrypt_n
    assert 2**17 == load_settings({}).scrypt_n
    assert 2**10 == load_settings({"LASTMILE_SCRYPT_N": "1024"}).scrypt_n
    with pytest.raises(SettingsError, match="LASTMILE_SCRYPT_N"):
        load_settings({"LASTMILE_SCRYPT_N": "1000"})


def test_password_hash_is_salted_scrypt_with_its_parameters():
    first, second = passwords.hash_password("pw-123456", 2**10), passwords.hash_password("pw-123456", 2**10)
    assert first.startswith("scrypt$1024$8$1$")
    assert first != second
    assert passwords.verify_password("pw-123456", first)
    assert not passwords.verify_password("pw-1234567", first)
    assert not passwords.verify_password("pw-123456", "garbage")


def test_signup_gives_a_working_token_and_normalises_the_email(client):
    headers = sign_up(client, email="  Ana.Lopez+shop@Example.COM ")
    me = client.get("/api/me", headers=headers)
    assert 200 == me.status_code
    body = me.json()
    assert "ana.lopez+shop@example.com" == body["email"]
    assert int(headers["X-Test-User"]) == body["userId"]
    assert int(headers["X-Test-Device"]) == body["deviceId"]
    assert False is body["totpEnabled"]
    assert "no-store" == me.headers["cache-control"]


def test_signup_twice_with_the_same_mailbox_is_a_conflict(client):
    sign_up(client, email="ana@example.com")
    response = client.post("/api/auth/signup", json={"email": "ANA@example.com ", "password": PASSWORD})
    assert_problem(response, 409, "exists")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "a@b", "password": PASSWORD},
        {"email": "ana@example.com", "password": "short"},
        {"email": "ana@example.com", "password": "x" * 1025},
        {"email": "ana@example.com"},
        {"email": 5, "password": PASSWORD},
        {"email": "ana@example.com", "password": PASSWORD, "deviceName": ""},
        {"email": "ana@example.com", "password": PASSWORD, "deviceName": "d" * 101},
        {"email": "x" * 250 + "@example.com", "password": PASSWORD},
    ],
)
def test_bad_signup_input_is_a_4xx_problem_and_creates_nobody(client, fresh_db, body):
    response = client.post("/api/auth/signup", json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert PASSWORD not in response.text
    assert [] == list(fresh_db.read().query("SELECT id FROM users"))


def test_tokens_are_stored_only_as_sha256(client, fresh_db):
    headers = sign_up(client)
    token = token_of(headers)
    assert 43 == len(token)  # 256 bits, URL-safe base64
    rows = list(fresh_db.read().query("SELECT token_hash FROM devices"))
    assert [{"token_hash": hashlib.sha256(token.encode()).hexdigest()}] == rows
    dump = database_dump(fresh_db)
    assert token not in dump
    assert PASSWORD not in dump


def test_unknown_user_and_wrong_password_get_the_same_answer(client, monkeypatch):
    sign_up(client, email="ana@example.com")
    verified = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda pw, enc: verified.append(1) or real(pw, enc))
    wrong = client.post("/api/auth/login", json={"email": "ana@example.com", "password": "wrong password"})
    nobody = client.post("/api/auth/login", json={"email": "bob@example.com", "password": "wrong password"})
    assert_problem(wrong, 401, "not right")
    assert_problem(nobody, 401, "not right")
    assert {k: v for k, v in wrong.json().items()} == {k: v for k, v in nobody.json().items()}
    # The unknown user costs a full scrypt verification too, so timing does not tell them apart.
    assert [1, 1] == verified


def test_each_login_is_a_device_and_devices_are_listed(client):
    phone = sign_up(client, device="phone")
    laptop = log_in(client, device="laptop")
    assert phone["X-Test-User"] == laptop["X-Test-User"]
    listed = client.get("/api/devices", headers=laptop).json()
    assert [("laptop", True), ("phone", False)] == [(d["name"], d["current"]) for d in listed]


def test_logout_revokes_only_that_device(client):
    phone = sign_up(client)
    laptop = log_in(client)
    assert 204 == client.post("/api/auth/logout", headers=phone).status_code
    assert_problem(client.get("/api/me", headers=phone), 401)
    assert 200 == client.get("/api/me", headers=laptop).status_code


def test_a_device_can_revoke_another_but_not_someone_elses(client):
    phone = sign_up(client, email="ana@example.com")
    laptop = log_in(client, email="ana@example.com")
    other = sign_up(client, email="bob@example.com")
    assert_problem(client.delete(f"/api/devices/{laptop['X-Test-Device']}", headers=other), 404)
    assert 200 == client.get("/api/me", headers=laptop).status_code
    assert_problem(client.delete("/api/devices/99999", headers=phone), 404)
    assert 204 == client.delete(f"/api/devices/{laptop['X-Test-Device']}", headers=phone).status_code
    response = client.get("/api/me", headers=laptop)
    assert_problem(response, 401)
    assert "Bearer" == response.headers["www-authenticate"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer " + "x" * 43])
def test_requests_without_a_valid_token_are_401(client, header):
    response = client.get("/api/me", headers={"Authorization": header} if header else {})
    assert_problem(response, 401)


def test_tokens_expire_after_inactivity(client, fresh_db, settings):
    headers = sign_up(client)
    policy = auth_policy(settings)
    now = time.time()
    assert service.authenticate(fresh_db, policy, token_of(headers), now=now + 29 * 86_400)
    # Used on day 29: idle expiry counts from there.
    assert service.authenticate(fresh_db, policy, token_of(headers), now=now + 58 * 86_400)
    with pytest.raises(NotAuthenticated):
        service.authenticate(fresh_db, policy, token_of(headers), now=now + 89 * 86_400)
    assert_problem(client.get("/api/me", headers=headers), 401)


def test_tokens_expire_at_their_absolute_age_however_much_they_are_used(client, fresh_db, settings):
    headers = sign_up(client)
    policy = auth_policy(settings)
    now = time.time()
    for day in range(20, 180, 20):
        assert service.authenticate(fresh_db, policy, token_of(headers), now=now + day * 86_400)
    with pytest.raises(NotAuthenticated):
        service.authenticate(fresh_db, policy, token_of(headers), now=now + 181 * 86_400)
    assert_problem(client.get("/api/me", headers=headers), 401)


@pytest.fixture
def strict_settings(settings) -> Settings:
    return settings.with_(login_max_failures_per_account=3, login_max_attempts_per_address=6)


def test_logins_are_limited_per_account(strict_settings, fresh_db):
    from litestar.testing import TestClient

    with TestClient(app_for(strict_settings, fresh_db)) as client:
        sign_up(client, email="ana@example.com")
        for _ in range(3):
            assert_problem(client.post("/api/auth/login", json={"email": "ana@example.com", "password": "guess guess"}), 401)
        # Now even the right password waits: the account is being guessed at.
        limited = client.post("/api/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
        assert_problem(limited, 429, "too many")
        assert int(limited.headers["retry-after"]) > 0
        # Other accounts from the same address are not locked by it yet.
        sign_up(client, email="bob@example.com")
        assert 200 == client.post("/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD}).status_code


def test_logins_are_limited_per_client_address(strict_settings, fresh_db):
    from litestar.testing import TestClient

    with TestClient(app_for(strict_settings, fresh_db)) as client:
        sign_up(client, email="ana@example.com")  # a signup counts against the address too
        for i in range(5):
            response = client.post("/api/auth/login", json={"email": f"user{i}@example.com", "password": "guess guess"})
            assert_problem(response, 401)
        assert_problem(client.post("/api/auth/login", json={"email": "ana@example.com", "password": PASSWORD}), 429)


def test_parallel_guesses_on_many_servers_get_no_more_than_the_limit_past(fresh_db, db_kind, settings):
    """The attempt is recorded before the password is checked (claim first): a burst of guesses sent at once to
    several server processes, all before any was refused, still gets only the limit's worth checked."""
    from accounts.errors import BadCredentials, RateLimited
    from accounts.policy import AuthPolicy
    from tests.utils import TEST_SCRYPT_N, race, servers

    policy = AuthPolicy(scrypt_n=TEST_SCRYPT_N, login_max_failures_per_account=3, login_max_attempts_per_address=100)
    service.signup(fresh_db, policy, "ana@example.com", PASSWORD, "phone", "10.0.0.1")
    with servers(fresh_db, settings, 8) as databases:
        outcomes = race(databases, lambda database, n: service.login(
            database, policy, "ana@example.com", f"guess number {n}", "phone", None, f"10.0.1.{n}"))
    assert set(outcomes) <= {"BadCredentials", "RateLimited"}, outcomes
    # At most the limit was checked (a burst may be refused whole: each counts the others in flight).
    checked = outcomes.count("BadCredentials")
    assert 8 == len(outcomes) and checked <= 3, outcomes
    for n in range(3 - checked):  # the checked guesses stay counted, the refused ones added nothing
        with pytest.raises(BadCredentials):
            service.login(fresh_db, policy, "ana@example.com", f"later guess {n}", "phone", None, "10.0.2.1")
    with pytest.raises(RateLimited):
        service.login(fresh_db, policy, "ana@example.com", PASSWORD, "phone", None, "10.0.2.1")
    assert 3 == accounts_store.count_attempts(fresh_db.read(), service._key("account", "ana@example.com"), 0)[0]


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_login_racing_the_accounts_erasure_gets_no_device(fresh_db, settings):
    """The password was checked before the erasure committed: the login is refused, and no device (token) of the
    erased account outlives the erasure."""
    import threading

    from accounts.errors import BadCredentials
    from accounts.policy import AuthPolicy
    from server.postgres import PostgresDatabase
    from tests.utils import TEST_SCRYPT_N

    policy = AuthPolicy(scrypt_n=TEST_SCRYPT_N)
    user_id = service.signup(fresh_db, policy, "ana@example.com", PASSWORD, "phone", "10.0.0.1").user_id
    outcome = []

    def login() -> None:
        try:
            outcome.append(service.login(fresh_db, policy, "ana@example.com", PASSWORD, "laptop", None, "10.0.0.2"))
        except BadCredentials as exc:
            outcome.append(type(exc).__name__)

    read, thread = accounts_store.user_by_email, threading.Thread(target=login)
    other = PostgresDatabase(settings.database_url, max_size=1)
    checked = threading.Event()

    def read_then_wait(db, email):  # the login has read the account; the erasure commits while it checks
        found = read(db, email)
        checked.set()
        return found

    accounts_store.user_by_email = read_then_wait
    try:
        with other.write() as db:
            assert accounts_store.erase_user(db, user_id, 1)
            thread.start()
            checked.wait(10)
            thread.join(0.5)
        thread.join(30)
    finally:
        accounts_store.user_by_email = read
        other.close()
    assert ["BadCredentials"] == outcome
    assert [] == accounts_store.list_devices(fresh_db.read(), user_id)


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_two_factor_login_racing_the_erasure_leaves_no_used_step(fresh_db, settings):
    """The password and code were checked while the erasure was committing: the login is refused before it records
    its code's step, so none of the erased account's TOTP rows (the erasure deletes them) is written after it."""
    from accounts.models import CurrentUser
    from accounts.policy import AuthPolicy
    from tests.utils import TEST_SCRYPT_N, while_held

    policy = AuthPolicy(scrypt_n=TEST_SCRYPT_N)
    session = service.signup(fresh_db, policy, "ana@example.com", PASSWORD, "phone", "10.0.0.1")
    current = CurrentUser(user_id=session.user_id, device_id=session.device_id)
    service.totp_enrol(fresh_db, current)
    secret = accounts_store.user_by_id(fresh_db.read(), current.user_id)["totp_secret"]
    now = (int(time.time()) // 30) * 30 + 10
    service.totp_confirm(fresh_db, current, totp.code_at(secret, now), now=now, policy=policy)
    outcome = while_held(settings.database_url, lambda db: accounts_store.erase_user(db, current.user_id, 1),
                         lambda: service.login(fresh_db, policy, "ana@example.com", PASSWORD, "laptop",
                                               totp.code_at(secret, now + 30), "10.0.0.2", now=now))
    assert "BadCredentials" == outcome
    db = fresh_db.read()
    assert 0 == db.execute("SELECT count(*) FROM totp_used_steps WHERE user_id = ?", [current.user_id]).fetchone()[0]
    assert [] == accounts_store.list_devices(db, current.user_id)


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_an_enrol_racing_the_confirm_does_not_switch_two_factor_off(fresh_db, settings):
    """A second enrol read the account while the confirm was committing: it must see two-factor sign-in on and
    refuse, not write its new secret with 'off' over the confirmed one."""
    import threading

    from accounts.errors import TotpStateError
    from accounts.models import CurrentUser
    from accounts.policy import AuthPolicy
    from server.postgres import PostgresDatabase
    from tests.utils import TEST_SCRYPT_N

    session = service.signup(fresh_db, AuthPolicy(scrypt_n=TEST_SCRYPT_N), "ana@example.com", PASSWORD, "phone", "10.0.0.1")
    current = CurrentUser(user_id=session.user_id, device_id=session.device_id)
    service.totp_enrol(fresh_db, current)
    secret = accounts_store.user_by_id(fresh_db.read(), current.user_id)["totp_secret"]
    outcome = []

    def enrol_again() -> None:
        try:
            outcome.append(service.totp_enrol(fresh_db, current))
        except TotpStateError as exc:
            outcome.append(type(exc).__name__)

    other, thread = PostgresDatabase(settings.database_url, max_size=1), threading.Thread(target=enrol_again)
    with other.write() as db:  # totp_confirm's write, on another server
        accounts_store.set_totp(db, current.user_id, secret, enabled=True)
        thread.start()
        thread.join(0.5)
    thread.join(30)
    other.close()
    assert ["TotpStateError"] == outcome
    user = accounts_store.user_by_id(fresh_db.read(), current.user_id)
    assert (1, secret) == (user["totp_enabled"], user["totp_secret"])


def enrol(client, headers) -> bytes:
    response = client.post("/api/auth/totp/enrol", headers=headers)
    assert 200 == response.status_code, response.text
    body = response.json()
    assert body["uri"].startswith("otpauth://totp/Lastmile:")
    assert f"secret={body['secret']}" in body["uri"]
    return base64.b32decode(body["secret"] + "=" * (-len(body["secret"]) % 8))


def test_totp_enrol_confirm_login_and_no_code_twice(client):
    headers = sign_up(client, email="ana@example.com")
    secret = enrol(client, headers)
    assert_problem(client.post("/api/auth/totp/confirm", json={"code": "000000" if totp.code_at(secret, time.time()) != "000000" else "111111"}, headers=headers), 422)
    confirm_code = totp.code_at(secret, time.time())
    assert 204 == client.post("/api/auth/totp/confirm", json={"code": confirm_code}, headers=headers).status_code
    assert True is client.get("/api/me", headers=headers).json()["totpEnabled"]

    needs = client.post("/api/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert_problem(needs, 401, "TOTP")
    assert "/problems/totp-required" == needs.json()["type"]
    # The code used to confirm was spent: it cannot sign in.
    replay = client.post("/api/auth/login", json={"email": "ana@example.com", "password": PASSWORD, "totp": confirm_code})
    assert_problem(replay, 401, "not right")


@pytest.mark.parametrize("refused", [-30, -60, 60], ids=["replayed", "two-steps-old", "two-steps-ahead"])
def test_totp_window_is_one_step_either_side_and_codes_are_single_use(client, fresh_db, settings, refused):
    headers = sign_up(client, email="ana@example.com")
    secret = enrol(client, headers)
    current = sign_in_user = int(headers["X-Test-User"])
    from accounts.models import CurrentUser

    me = CurrentUser(user_id=sign_in_user, device_id=int(headers["X-Test-Device"]))
    now = (int(time.time()) // 30) * 30 + 10  # mid-step, so ±1 step is unambiguous
    service.totp_confirm(fresh_db, me, totp.code_at(secret, now), now=now)
    policy = auth_policy(settings)

    def login(code: str):
        return service.login(fresh_db, policy, "ana@example.com", PASSWORD, "d", code, "10.0.0.1", now=now)

    assert login(totp.code_at(secret, now - 30)).user_id == current
    assert login(totp.code_at(secret, now + 30)).user_id == current
    from accounts.errors import BadCredentials

    with pytest.raises(BadCredentials):
        login(totp.code_at(secret, now + refused))


def test_totp_disable_needs_a_code(client):
    headers = sign_up(client, email="ana@example.com")
    secret = enrol(client, headers)
    assert_problem(client.post("/api/auth/totp/disable", json={"code": "123456"}, headers=headers), 409)
    now = time.time()
    assert 204 == client.post("/api/auth/totp/confirm", json={"code": totp.code_at(secret, now - 30)}, headers=headers).status_code
    assert_problem(client.post("/api/auth/totp/enrol", headers=headers), 409)
    assert_problem(client.post("/api/auth/totp/disable", json={"code": "12345"}, headers=headers), 400)
    assert 204 == client.post("/api/auth/totp/disable", json={"code": totp.code_at(secret, now)}, headers=headers).status_code
    assert 200 == client.post("/api/auth/login", json={"email": "ana@example.com", "password": PASSWORD}).status_code


def test_totp_routes_need_a_token(client):
    assert_problem(client.post("/api/auth/totp/enrol"), 401)
    assert_problem(client.post("/api/auth/totp/confirm", json={"code": "123456"}), 401)


def test_old_hashes_are_upgraded_on_login(client, fresh_db, settings):
    sign_up(client, email="ana@example.com")
    with fresh_db.write() as db:
        accounts_store.set_password_hash(db, 1, passwords.hash_password(PASSWORD, 2**11))
    assert 200 == client.post("/api/auth/login", json={"email": "ana@example.com", "password": PASSWORD}).status_code
    stored = accounts_store.user_by_id(fresh_db.read(), 1)["password_hash"]
    assert stored.startswith(f"scrypt${settings.scrypt_n}$")


def test_wrong_totp_codes_are_rate_limited_too(strict_settings, fresh_db):
    from litestar.testing import TestClient

    with TestClient(app_for(strict_settings, fresh_db)) as client:
        headers = sign_up(client, email="ana@example.com")
        secret = enrol(client, headers)
        right = totp.code_at(secret, time.time())
        wrong = [c for c in ("111111", "222222", "333333", "444444") if c not in {totp.code_at(secret, time.time() + d) for d in (-30, 0, 30)}]
        for code in wrong[:3]:
            assert_problem(client.post("/api/auth/totp/confirm", json={"code": code}, headers=headers), 422)
        # A stolen token cannot guess its way through the code space: even the right code waits now.
        assert_problem(client.post("/api/auth/totp/confirm", json={"code": right}, headers=headers), 429)
