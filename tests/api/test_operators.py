"""Operator accounts on a real database: add, sign in with TOTP, sessions' expiry, rate limits, disable, reset 2FA, CLI."""

from __future__ import annotations

import io
import sys

import pytest

from operators import service
from operators.errors import BadOperatorInput, NotSignedIn, OperatorExists, SignInFailed, TooManyAttempts, UnknownOperator
from server.cli.main import main
from tests.operator_support import PASSWORD, POLICY, code, make_operator, secret_of
from tests.utils import while_held

NOW = 1_800_000_000.0


def test_add_validates_and_refuses_duplicates(fresh_db):
    make_operator(fresh_db, "Owner@Example.com", "owner")
    with pytest.raises(OperatorExists):
        make_operator(fresh_db, "owner@example.com", "support")
    with pytest.raises(BadOperatorInput):
        make_operator(fresh_db, "x@example.com", "janitor")
    with pytest.raises(BadOperatorInput):
        service.add_operator(fresh_db, POLICY, "y@example.com", "owner", "short")
    with pytest.raises(BadOperatorInput):
        make_operator(fresh_db, "not an email", "owner")
    assert [("owner@example.com", "owner", False)] == [(o.email, o.role, o.disabled) for o in service.list_operators(fresh_db)]


def test_sign_in_needs_password_and_a_fresh_code(fresh_db):
    uri = make_operator(fresh_db, "ops@example.com", "marketer")
    signed = service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, NOW), "10.0.0.1", now=NOW)
    assert ("marketer", 43) == (signed.info.principal.role, len(signed.cookie))
    assert signed.info == service.session(fresh_db, POLICY, signed.cookie, now=NOW + 1)
    # The same code twice (a replay), a wrong password, a wrong code: one answer for all.
    for password, totp_code in ((PASSWORD, code(uri, NOW)), ("wrong password!", code(uri, NOW + 30)), (PASSWORD, "000000")):
        with pytest.raises(SignInFailed):
            service.sign_in(fresh_db, POLICY, "ops@example.com", password, totp_code, "10.0.0.1", now=NOW + 30)
    with pytest.raises(SignInFailed):
        service.sign_in(fresh_db, POLICY, "nobody@example.com", PASSWORD, "123456", "10.0.0.1", now=NOW)
    actions = [(e.action, e.actor) for e in service.audit_log(fresh_db)]
    assert ("signin", "ops@example.com") in actions
    assert 4 == sum(1 for a, _ in actions if a == "signin.failed")


def test_sessions_expire_when_idle_and_when_old(fresh_db):
    uri = make_operator(fresh_db, "ops@example.com", "support")
    first = service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, NOW), "a", now=NOW)
    with pytest.raises(NotSignedIn):
        service.session(fresh_db, POLICY, first.cookie, now=NOW + POLICY.session_idle_seconds + 1)
    # Kept alive by use, a session still ends at its absolute expiry.
    second = service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, NOW + 60), "a", now=NOW + 60)
    t = NOW + 60
    while t < NOW + 60 + POLICY.session_max_seconds - POLICY.session_idle_seconds:
        t += POLICY.session_idle_seconds - 60
        service.session(fresh_db, POLICY, second.cookie, now=t)
    with pytest.raises(NotSignedIn):
        service.session(fresh_db, POLICY, second.cookie, now=NOW + 61 + POLICY.session_max_seconds)


def test_sign_in_is_rate_limited_per_account(fresh_db):
    uri = make_operator(fresh_db, "ops@example.com", "owner")
    for i in range(POLICY.signin_max_failures_per_account):
        with pytest.raises(SignInFailed):
            service.sign_in(fresh_db, POLICY, "ops@example.com", "wrong password!", "000000", f"10.0.0.{i}", now=NOW)
    with pytest.raises(TooManyAttempts) as caught:
        service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, NOW), "10.9.9.9", now=NOW + 1)
    assert 0 < caught.value.retry_after <= POLICY.signin_window_seconds
    later = NOW + POLICY.signin_window_seconds + 1
    assert service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, later), "10.9.9.9", now=later)


def test_parallel_guesses_on_many_servers_get_no_more_than_the_limit_past(fresh_db, db_kind, settings):
    """The attempt is claimed before the password is checked: a burst of guesses sent at once to several server
    processes, all before any was refused, still gets at most the account's limit checked."""
    from tests.utils import race, servers

    make_operator(fresh_db, "ops@example.com", "owner")
    limit = POLICY.signin_max_failures_per_account
    with servers(fresh_db, settings, limit + 5) as databases:
        outcomes = race(databases, lambda database, n: service.sign_in(
            database, POLICY, "ops@example.com", f"guess number {n}", "000000", f"10.0.1.{n}", now=NOW))
    assert set(outcomes) <= {"SignInFailed", "TooManyAttempts"}, outcomes
    checked = outcomes.count("SignInFailed")
    assert limit + 5 == len(outcomes) and checked <= limit, outcomes
    for n in range(limit - checked):  # the checked guesses stay counted, the refused ones added nothing
        with pytest.raises(SignInFailed):
            service.sign_in(fresh_db, POLICY, "ops@example.com", f"later guess {n}", "000000", "10.0.2.1", now=NOW)
    with pytest.raises(TooManyAttempts):
        service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, "000000", "10.0.2.1", now=NOW)


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_sign_in_racing_a_2fa_reset_leaves_no_session(fresh_db, settings):
    """The code was checked against the old secret while an owner's reset was committing: the sign-in is refused
    (its session would have outlived "every session ended")."""
    from operators import store as operator_store

    uri = make_operator(fresh_db, "ops@example.com", "owner")
    operator_id = service.list_operators(fresh_db)[0].id

    def reset(db) -> None:  # reset_2fa's writes
        operator_store.set_totp_secret(db, operator_id, b"a brand new secret!!")
        operator_store.delete_credentials(db, operator_id, tokens=False)

    outcome = while_held(settings.database_url, reset, lambda: service.sign_in(
        fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, NOW), "10.0.0.1", now=NOW))
    assert "SignInFailed" == outcome
    assert 0 == fresh_db.read().execute("SELECT count(*) FROM operator_sessions").fetchone()[0]


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_token_issued_while_the_operator_is_disabled_is_refused(fresh_db, settings):
    """A token issued while a disable was committing would outlive it (and work again after a re-enable)."""
    from operators import store as operator_store

    make_operator(fresh_db, "ops@example.com", "owner")
    operator_id = service.list_operators(fresh_db)[0].id

    def disable(db) -> None:  # disable_operator's writes
        operator_store.set_disabled(db, operator_id, True)
        operator_store.delete_credentials(db, operator_id, tokens=True)

    outcome = while_held(settings.database_url, disable,
                          lambda: service.issue_token(fresh_db, "ops@example.com", "ci", now=NOW))
    assert "BadOperatorInput" == outcome
    assert [] == operator_store.list_tokens(fresh_db.read(), operator_id)


def test_disable_and_reset_2fa_end_sessions(fresh_db):
    uri = make_operator(fresh_db, "ops@example.com", "owner")
    signed = service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, NOW), "a", now=NOW)
    new_uri = service.reset_2fa(fresh_db, "ops@example.com").otpauth_uri
    assert secret_of(uri) != secret_of(new_uri)
    with pytest.raises(NotSignedIn):
        service.session(fresh_db, POLICY, signed.cookie, now=NOW + 1)
    with pytest.raises(SignInFailed):
        service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(uri, NOW + 60), "a", now=NOW + 60)
    again = service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(new_uri, NOW + 90), "a", now=NOW + 90)
    service.disable_operator(fresh_db, "ops@example.com")
    with pytest.raises(NotSignedIn):
        service.session(fresh_db, POLICY, again.cookie, now=NOW + 91)
    with pytest.raises(SignInFailed):
        service.sign_in(fresh_db, POLICY, "ops@example.com", PASSWORD, code(new_uri, NOW + 120), "a", now=NOW + 120)
    with pytest.raises(UnknownOperator):
        service.disable_operator(fresh_db, "nobody@example.com")


def test_cli_add_list_token_reset_disable(settings, monkeypatch, capsys):
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LASTMILE_SCRYPT_N", str(2**10))
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert 0 == main(["operator", "add", "--email", "cli@example.com", "--role", "support"])
    added = capsys.readouterr().out
    assert "otpauth://totp/Lastmile:cli%40example.com?" in added and "secret=" in added
    assert 0 == main(["operator", "token", "--email", "cli@example.com", "--name", "cron"])
    assert 43 == len(capsys.readouterr().out.strip())
    assert 0 == main(["operator", "reset-2fa", "--email", "cli@example.com"])
    assert "otpauth://" in capsys.readouterr().out
    assert 0 == main(["operator", "disable", "--email", "cli@example.com"])
    capsys.readouterr()
    assert 0 == main(["operator", "list"])
    listed = capsys.readouterr().out.split("\t")
    assert ["cli@example.com", "support", "disabled"] == listed[1:4]
    assert 1 == main(["operator", "disable", "--email", "nobody@example.com"])
    assert "no operator" in capsys.readouterr().err


class Terminal(io.StringIO):
    """A stream that says it is a terminal (a person typing, a person reading)."""

    def isatty(self) -> bool:
        return True


def test_cli_add_prompts_twice_on_a_terminal_and_shows_a_qr_code(settings, monkeypatch):
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LASTMILE_SCRYPT_N", str(2**10))
    monkeypatch.setattr(sys, "stdin", Terminal())
    typed = iter([PASSWORD, PASSWORD + "x", PASSWORD, PASSWORD])
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(typed))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert 1 == main(["operator", "add", "--email", "tty@example.com", "--role", "marketer"])  # the two differ
    assert "the two passwords differ" in err.getvalue()
    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    assert 0 == main(["operator", "add", "--email", "tty@example.com", "--role", "marketer"])
    assert ["password: ", "again: "] * 2 == prompts
    shown = screen.getvalue()
    assert "otpauth://totp/Lastmile:tty%40example.com?" in shown
    assert "█" in shown or "▀" in shown  # the QR code, drawn in block characters below the URI
