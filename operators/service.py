"""Operators behaviour: accounts (add, list, disable, reset 2FA), sign-in with TOTP, sessions, API tokens, audit.

Functions take the ``database`` (not a transaction) because password hashing must run outside the single
writer's lock; they block, so HTTP handlers call them off the event loop.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Callable

from accounts import attempts, passwords, totp, vault
from accounts.emails import normalise_email
from accounts.errors import BadAccountInput
from accounts.tokens import new_token, token_hash
from clock import iso_seconds

from . import store
from .errors import BadOperatorInput, NotSignedIn, OperatorExists, SignInFailed, TooManyAttempts, UnknownOperator
from .models import AuditEntry, NewOperator, OperatorRow, Principal, SessionInfo, SignedIn
from .policy import OperatorPolicy
from .roles import Role

MAX_AUDIT_TEXT = 500


def iso(ts: int | float | None) -> str | None:
    """Unix seconds as pages and the API show times."""
    return None if ts is None else iso_seconds(ts)


def _email(raw: str) -> str:
    try:
        return normalise_email(raw)
    except BadAccountInput as exc:
        raise BadOperatorInput(str(exc)) from None


def _role(raw: str) -> str:
    try:
        return Role(raw).value
    except ValueError:
        raise BadOperatorInput(f"a role is one of {', '.join(r.value for r in Role)}") from None


def _operator(db: Any, email: str) -> dict:
    row = store.operator_by_email(db, _email(email))
    if row is None:
        raise UnknownOperator("there is no operator with that email")
    return row


def add_operator(database: Any, policy: OperatorPolicy, email: str, role: str, password: str,
                 now: float | None = None) -> NewOperator:
    """Create an operator with TOTP on from the start; the provisioning URI is returned once."""
    now_s = int(time.time() if now is None else now)
    email, role = _email(email), _role(role)
    if len(password) < policy.min_password_length:
        raise BadOperatorInput(f"an operator password needs at least {policy.min_password_length} characters")
    encoded = passwords.hash_password(password, policy.scrypt_n)
    secret = totp.new_secret()
    with database.write() as db:
        operator_id = store.create_operator(db, email, role, encoded, secret, now_s)
        if operator_id is None:
            raise OperatorExists("an operator with this email exists")
        record(db, cli_principal(), "operator.add", target=email, detail=f"role={role}", at=now_s)
    return NewOperator(id=operator_id, email=email, role=role, otpauth_uri=totp.provisioning_uri(secret, email))


def cli_principal() -> Principal:
    """Whoever runs the `lastmile` command on the server (owner-level: they hold the database)."""
    return Principal(operator_id=None, email="cli", role=Role.OWNER.value, via="cli")


def list_operators(database: Any) -> list[OperatorRow]:
    """Every operator (no secrets)."""
    return [
        OperatorRow(id=r["id"], email=r["email"], role=r["role"], disabled=bool(r["disabled"]),
                    created_at=iso(r["created_at"]) or "", last_sign_in_at=iso(r["last_sign_in_at"]))
        for r in store.list_operators(database.read())
    ]


def disable_operator(database: Any, email: str, by: Principal | None = None, address: str = "") -> None:
    """Disable an operator and end every session and API token they have."""
    with database.write() as db:
        row = _operator(db, email)
        store.set_disabled(db, row["id"], True)
        store.delete_credentials(db, row["id"], tokens=True)
        record(db, by or cli_principal(), "operator.disable", target=row["email"], address=address)


def enable_operator(database: Any, email: str, by: Principal | None = None, address: str = "") -> None:
    """Let a disabled operator sign in again (their old sessions and tokens stay gone)."""
    with database.write() as db:
        row = _operator(db, email)
        store.set_disabled(db, row["id"], False)
        record(db, by or cli_principal(), "operator.enable", target=row["email"], address=address)


def reset_2fa(database: Any, email: str, by: Principal | None = None, address: str = "") -> NewOperator:
    """A new TOTP secret (the old app stops working) and every session ended; the new URI is returned once."""
    secret = totp.new_secret()
    with database.write() as db:
        row = _operator(db, email)
        store.set_totp_secret(db, row["id"], secret)
        store.delete_credentials(db, row["id"], tokens=False)
        record(db, by or cli_principal(), "operator.reset-2fa", target=row["email"], address=address)
    return NewOperator(id=row["id"], email=row["email"], role=row["role"],
                       otpauth_uri=totp.provisioning_uri(secret, row["email"]))


def issue_token(database: Any, email: str, name: str, by: Principal | None = None, address: str = "",
                now: float | None = None) -> str:
    """A new API token carrying the operator's role; shown once, stored hashed."""
    now_s = int(time.time() if now is None else now)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise BadOperatorInput("a token name has 1 to 100 characters")
    token = new_token()
    with database.write() as db:
        row = _operator(db, email)
        if not store.hold_enabled(db, row["id"]):  # conditional (a disable meanwhile is seen, or waits for us)
            raise BadOperatorInput("that operator is disabled")
        store.add_token(db, row["id"], name, token_hash(token), now_s)
        record(db, by or cli_principal(), "operator.token", target=row["email"], detail=f"name={name}",
               address=address, at=now_s)
    return token


def _end_or_touch(database: Any, policy: OperatorPolicy, credential_id: int, now_s: int, *, expired: bool,
                  last_used: int, end: Callable[[Any, int], object], touch: Callable[[Any, int, int], None],
                  why: str) -> None:
    """An expired token or session is deleted (NotSignedIn saying ``why``); a live one has its use recorded, at
    most once per ``touch_every_seconds`` (so a burst of requests does not write on every one)."""
    if expired:
        with database.write() as db:
            end(db, credential_id)
        raise NotSignedIn(why)
    if now_s - last_used >= policy.touch_every_seconds:
        with database.write() as db:
            touch(db, credential_id, now_s)


def authenticate_token(database: Any, policy: OperatorPolicy, token: str, now: float | None = None) -> Principal:
    """The operator behind an API token; NotSignedIn when unknown, expired or the operator is disabled."""
    now_s = int(time.time() if now is None else now)
    if not 20 <= len(token) <= 100:
        raise NotSignedIn()
    row = store.token_by_hash(database.read(), token_hash(token))
    if row is None or row["disabled"]:
        raise NotSignedIn()
    _end_or_touch(database, policy, row["id"], now_s, expired=now_s - row["created_at"] > policy.token_max_seconds,
                  last_used=row["last_used_at"], end=store.delete_token, touch=store.touch_token,
                  why="this operator token has expired; issue a new one")
    return Principal(operator_id=row["operator_id"], email=row["email"], role=row["role"], via="token")


SIGNIN_ATTEMPT = "operator-signin"
"""The vault kind of the sign-in rate-limit keys (a blind index: keyed, one-way)."""


def _key(kind: str, value: str) -> str:
    # A keyed hash, so the attempts table holds neither addresses nor emails, and the database alone cannot test
    # a guessed email against it.
    return vault.blind_index(SIGNIN_ATTEMPT, f"{kind}:{value}")


def _claim(database: Any, policy: OperatorPolicy, limits: list[tuple[str, int, str]], now: float) -> list[int]:
    """Claim the attempts first (accounts/attempts.py), so sign-ins in flight on any process count: TooManyAttempts
    when a limit was met already; else the claims' ids (a failure leaves them counted)."""
    return attempts.claim(database, store, limits, policy.signin_window_seconds, now,
                          lambda what, retry: TooManyAttempts(f"too many sign-in attempts; try again in {retry} s",
                                                              retry_after=retry))


def _fail(database: Any, email: str, address: str, now: float) -> None:
    """Audit a failed sign-in (its claimed attempts stay counted)."""
    with database.write() as db:
        known = store.operator_by_email(db, email) if email else None
        record(db, Principal(operator_id=known["id"] if known else None, email=email or "?", role="",
                             via="session"), "signin.failed", address=address, at=int(now))


def sign_in(database: Any, policy: OperatorPolicy, email: str, password: str, code: str, address: str,
            now: float | None = None) -> SignedIn:
    """A console session for the right email + password + TOTP code; rate-limited per account and address."""
    now = time.time() if now is None else now
    try:
        email = normalise_email(email)
    except BadAccountInput:
        email = ""  # still hash below: a malformed address must not answer faster than a wrong password
    limits = [(_key("address", address), policy.signin_max_attempts_per_address, "from this address")]
    if email:
        limits.append((_key("account", email), policy.signin_max_failures_per_account, "for this account"))
    claims = _claim(database, policy, limits, now)
    row = store.operator_by_email(database.read(), email) if email else None
    if row is None:
        passwords.burn_time(password, policy.scrypt_n)
        _fail(database, email, address, now)
        raise SignInFailed()
    good = passwords.verify_password(password, row["password_hash"])
    step = totp.matching_step(row["totp_secret"], code, now) if good else None
    if not good or step is None or row["disabled"]:
        _fail(database, email, address, now)
        raise SignInFailed()
    rehash = (passwords.hash_password(password, policy.scrypt_n)
              if passwords.needs_rehash(row["password_hash"], policy.scrypt_n) else None)
    cookie, csrf = new_token(), secrets.token_urlsafe(32)
    principal = Principal(operator_id=row["id"], email=row["email"], role=row["role"], via="session")
    with database.write() as db:
        # The step is claimed inside the transaction: two sign-ins racing with one code cannot both pass.
        accepted = store.use_totp_step(db, row["id"], step)
        if accepted:
            # Still enabled and still the secret the code was checked against, now that the row is locked: a disable
            # or a 2FA reset committed meanwhile refuses this sign-in; one coming later ends its session.
            accepted = store.hold_enabled(db, row["id"]) and (
                (store.operator_by_id(db, row["id"]) or {}).get("totp_secret") == row["totp_secret"])
        if accepted:
            if rehash:
                store.set_password_hash(db, row["id"], rehash)
            session_id = store.add_session(db, row["id"], token_hash(cookie), csrf, int(now))
            store.mark_signed_in(db, row["id"], int(now))
            store.remove_attempts(db, claims)
            record(db, principal, "signin", address=address, at=int(now))
    if not accepted:
        _fail(database, email, address, now)
        raise SignInFailed()
    return SignedIn(cookie=cookie, info=SessionInfo(session_id=session_id, principal=principal, csrf_token=csrf))


def session(database: Any, policy: OperatorPolicy, cookie: str, now: float | None = None) -> SessionInfo:
    """The console session behind a cookie; NotSignedIn when unknown, idle too long, too old or disabled."""
    now_s = int(time.time() if now is None else now)
    if not 20 <= len(cookie) <= 100:
        raise NotSignedIn("sign in to the console")
    row = store.session_by_hash(database.read(), token_hash(cookie))
    if row is None or row["disabled"]:
        raise NotSignedIn("sign in to the console")
    idle = now_s - row["last_seen_at"] > policy.session_idle_seconds
    old = now_s - row["created_at"] > policy.session_max_seconds
    _end_or_touch(database, policy, row["id"], now_s, expired=idle or old, last_used=row["last_seen_at"],
                  end=store.delete_session, touch=store.touch_session,
                  why="the console session has expired; sign in again")
    principal = Principal(operator_id=row["operator_id"], email=row["email"], role=row["role"], via="session")
    return SessionInfo(session_id=row["id"], principal=principal, csrf_token=row["csrf_token"])


def sign_out(database: Any, info: SessionInfo) -> None:
    """End a console session (the console's audit middleware records the sign-out as the write it is)."""
    with database.write() as db:
        store.delete_session(db, info.session_id)


def prune(database: Any, policy: OperatorPolicy, now: float | None = None) -> tuple[int, int]:
    """Drop expired sessions and tokens and old attempts (daily maintenance); how many sessions, tokens."""
    now_s = int(time.time() if now is None else now)
    with database.write() as db:
        sessions = store.delete_expired_sessions(db, now_s - policy.session_idle_seconds,
                                                 now_s - policy.session_max_seconds)
        tokens = store.delete_expired_tokens(db, now_s - policy.token_max_seconds)
        store.prune_attempts(db, now_s - policy.signin_window_seconds)
    return sessions, tokens


def _clip(text: str) -> str:
    return text if len(text) <= MAX_AUDIT_TEXT else text[: MAX_AUDIT_TEXT - 1] + "…"


def record(db: Any, principal: Principal, action: str, *, target: str = "", detail: str = "", address: str = "",
           status: int = 0, at: int | None = None) -> int:
    """Append an audit line inside the caller's write transaction (so the write and its record commit together)."""
    return store.add_audit(db, {
        "at": int(time.time()) if at is None else at,
        "operator_id": principal.operator_id,
        "actor": _clip(principal.email),
        "role": principal.role,
        "action": _clip(action),
        "target": _clip(target),
        "detail": _clip(detail),
        "address": _clip(address),
        "status": status,
    })


def audit(database: Any, principal: Principal, action: str, **fields: Any) -> int:
    """Append an audit line in a transaction of its own."""
    with database.write() as db:
        return record(db, principal, action, **fields)


def audit_log(database: Any, before_id: int | None = None, limit: int = 100, action_prefix: str = "") -> list[AuditEntry]:
    """Audit lines, newest first."""
    return [
        AuditEntry(id=r["id"], at=iso(r["at"]) or "", actor=r["actor"], role=r["role"], action=r["action"],
                   target=r["target"], detail=r["detail"], address=r["address"], status=r["status"])
        for r in store.list_audit(database.read(), before_id, limit, action_prefix)
    ]


def start_job(database: Any, principal: Principal, kind: str) -> int:
    """A console job (a catalog import) whose progress any server process can show."""
    with database.write() as db:
        return store.add_job(db, kind, principal.operator_id, int(time.time()))


def job_progress(database: Any, job_id: int, step: str, done: int, total: int, state: str = "running",
                 result: str = "") -> None:
    """Record how far a job got (or how it ended, with ``state`` done/failed and a JSON ``result``)."""
    with database.write() as db:
        store.update_job(db, job_id, step=step, done=done, total=total, now=int(time.time()), state=state,
                         result=result)


def job(database: Any, job_id: int) -> dict | None:
    """A job's row."""
    return store.get_job(database.read(), job_id)
