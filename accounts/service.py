"""Accounts behaviour: signup, login (password, TOTP, rate limits), tokens, devices, stream tickets.

Functions take the ``database`` (not a transaction) because password hashing must run outside the
single writer's lock; they block, so HTTP handlers call them off the event loop.
"""

from __future__ import annotations

import time
from typing import Any

from clock import iso_seconds

from . import attempts, passwords, store, totp, vault
from .emails import normalise_email
from .masking import mask_email
from .errors import (
    BadAccountInput,
    BadCredentials,
    EmailTaken,
    NotAuthenticated,
    RateLimited,
    ReauthenticationFailed,
    TotpRequired,
    TotpStateError,
    UnknownDevice,
)
from .models import CurrentUser, Device, Me, Reveal, Session, ShopperActivity, StreamTicket, TotpEnrolment
from .policy import AuthPolicy
from .tokens import new_token, token_hash

LOGIN_ATTEMPT = "login-attempt"
"""The vault kind of the rate-limit keys (a blind index: keyed, one-way)."""


def _key(kind: str, value: str) -> str:
    # A keyed hash (the vault's blind index), so the attempts table holds neither addresses nor emails and
    # nobody with the database alone can test a guessed address against it. A key rotation starts the
    # windows afresh (attempts under the old key stop counting: at most one window of them).
    return vault.blind_index(LOGIN_ATTEMPT, f"{kind}:{value}")


def _claim(database: Any, policy: AuthPolicy, limits: list[tuple[str, int, str]], now: float) -> list[int]:
    """Claim the attempts first (accounts/attempts.py): RateLimited when a limit was met already."""
    return attempts.claim(database, store, limits, policy.login_window_seconds, now, lambda what, retry: RateLimited(
        f"too many attempts {what}; try again in {retry} s", retry_after=retry))


def _withdraw(database: Any, claims: list[int]) -> None:
    attempts.withdraw(database, store, claims)


def _login_limits(policy: AuthPolicy, account: str | None, address: str) -> list[tuple[str, int, str]]:
    limits = [(_key("address", address), policy.login_max_attempts_per_address, "from this address")]
    if account is not None:
        limits.append((_key("account", account), policy.login_max_failures_per_account, "for this account"))
    return limits


def _new_session(db: Any, user_id: int, device_name: str, now: int) -> Session:
    token = new_token()
    device_id = store.create_device(db, user_id, device_name.strip() or "browser", token_hash(token), now)
    store.note_active_day(db, user_id, device_id, now)
    return Session(token=token, user_id=user_id, device_id=device_id)


def signup(
    database: Any, policy: AuthPolicy, email: str, password: str, device_name: str, address: str, now: float | None = None
) -> Session:
    """Create an account and its first device; EmailTaken when the address already has one."""
    now = time.time() if now is None else now
    email = normalise_email(email)
    if len(password) < 8:
        raise BadAccountInput("a password needs at least 8 characters")
    # Signups cost a scrypt hash each: they count against the address's budget like logins do (the claim stays).
    _claim(database, policy, _login_limits(policy, None, address), now)
    encoded = passwords.hash_password(password, policy.scrypt_n)
    with database.write() as db:
        user_id = store.create_user(db, email, encoded, int(now))
        if user_id is None:
            raise EmailTaken("an account with this email exists; sign in instead")
        return _new_session(db, user_id, device_name, int(now))


def login(
    database: Any,
    policy: AuthPolicy,
    email: str,
    password: str,
    device_name: str,
    code: str | None,
    address: str,
    now: float | None = None,
) -> Session:
    """A new device token for the right email + password (+ TOTP code when 2FA is on)."""
    now = time.time() if now is None else now
    try:
        email = normalise_email(email)
    except BadAccountInput:
        email = ""  # still hash below: a malformed address must not answer faster than a wrong password
    # The attempt is claimed before the password is checked; a failure leaves it counted, a success withdraws it.
    claims = _claim(database, policy, _login_limits(policy, email or None, address), now)
    user = store.user_by_email(database.read(), email) if email else None
    if user is None:
        passwords.burn_time(password, policy.scrypt_n)
        raise BadCredentials()
    if not passwords.verify_password(password, user["password_hash"]):
        raise BadCredentials()
    rehash = passwords.hash_password(password, policy.scrypt_n) if passwords.needs_rehash(user["password_hash"], policy.scrypt_n) else None
    if user["totp_enabled"]:
        if code is None:
            _withdraw(database, claims)  # the right password, no code yet: not a failure
            raise TotpRequired()
        step = totp.matching_step(user["totp_secret"], code, now)
        if step is None:
            raise BadCredentials()
    with database.write() as db:
        # The row first (an erasure's order too): erased since it was read, it gets no device and no used step.
        if not store.hold_active(db, user["id"]):
            accepted = False
        elif user["totp_enabled"] and not store.use_totp_step(db, user["id"], step):
            accepted = False
        else:
            accepted = True
            if rehash:
                store.set_password_hash(db, user["id"], rehash)
            session = _new_session(db, user["id"], device_name, int(now))
            store.remove_attempts(db, claims)
    if not accepted:
        raise BadCredentials()
    return session


def authenticate(database: Any, policy: AuthPolicy, token: str, now: float | None = None) -> CurrentUser:
    """The caller behind a bearer token; NotAuthenticated when it is unknown, revoked or expired."""
    now_s = int(time.time() if now is None else now)
    if not 20 <= len(token) <= 100:
        raise NotAuthenticated()
    digest = token_hash(token)
    row = store.device_by_token_hash(database.read(), digest)
    if row is None:
        raise NotAuthenticated()
    idle = now_s - row["last_used_at"] > policy.token_idle_seconds
    old = now_s - row["created_at"] > policy.token_max_seconds
    if idle or old:
        with database.write() as db:
            store.delete_device(db, row["user_id"], row["id"])
        raise NotAuthenticated("this sign-in has expired; sign in again")
    if now_s - row["last_used_at"] >= policy.touch_every_seconds or now_s // 86_400 != row["last_used_at"] // 86_400:
        # Throttled so that most requests stay read-only (the writer is the scarce resource); the first use on a
        # new UTC day always writes, so the day counts as active.
        with database.write() as db:
            store.touch_device(db, row["id"], now_s)
            store.note_active_day(db, row["user_id"], row["id"], now_s)
    return CurrentUser(user_id=row["user_id"], device_id=row["id"])


def logout(database: Any, current: CurrentUser) -> None:
    """Revoke the calling device's token."""
    with database.write() as db:
        store.delete_device(db, current.user_id, current.device_id)


def me(database: Any, current: CurrentUser) -> Me:
    """The caller's account."""
    user = store.user_by_id(database.read(), current.user_id)
    if user is None:
        raise NotAuthenticated()
    return Me(
        user_id=user["id"],
        email=user["email"],
        created_at=iso_seconds(user["created_at"]),
        totp_enabled=bool(user["totp_enabled"]),
        device_id=current.device_id,
    )


def devices(database: Any, current: CurrentUser) -> list[Device]:
    """The caller's signed-in devices."""
    return [
        Device(
            id=row["id"],
            name=row["name"],
            created_at=iso_seconds(row["created_at"]),
            last_used_at=iso_seconds(row["last_used_at"]),
            current=row["id"] == current.device_id,
        )
        for row in store.list_devices(database.read(), current.user_id)
    ]


def revoke_device(database: Any, current: CurrentUser, device_id: int) -> None:
    """Sign one of the caller's devices out; UnknownDevice for anyone else's (or no) device."""
    with database.write() as db:
        if not store.delete_device(db, current.user_id, device_id):
            raise UnknownDevice(f"no device {device_id} among yours")


def totp_enrol(database: Any, current: CurrentUser) -> TotpEnrolment:
    """A new (not yet active) TOTP secret for the caller."""
    with database.write() as db:
        # Locked before it is read: a confirm committing meanwhile is seen (not switched off again by this write).
        user = store.user_by_id(db, current.user_id) if store.hold_active(db, current.user_id) else None
        if user is None:
            raise NotAuthenticated()
        if user["totp_enabled"]:
            raise TotpStateError("two-factor sign-in is already on; disable it first to enrol again")
        secret = totp.new_secret()
        store.set_totp(db, current.user_id, secret, enabled=False)
    return TotpEnrolment(secret=totp.secret_text(secret), uri=totp.provisioning_uri(secret, user["email"]))


def _accept_code(db: Any, user: dict, code: str, now: float) -> None:
    step = totp.matching_step(user["totp_secret"], code, now)
    if step is None or not store.use_totp_step(db, user["id"], step):
        raise BadAccountInput("that code is not right (or was used already)")


def _guarded_code(database: Any, policy: AuthPolicy, current: CurrentUser, now: float, change: Any) -> None:
    """Run a TOTP-checked change; wrong codes count against the account like failed logins (no brute force)."""
    claims = _claim(database, policy, [(_key("totp", str(current.user_id)), policy.login_max_failures_per_account,
                                         "for this account")], now)
    try:
        with database.write() as db:
            # Locked before it is read: an enrol or another change committing meanwhile is seen, not overwritten.
            user = store.user_by_id(db, current.user_id) if store.hold_active(db, current.user_id) else None
            if user is None:
                raise NotAuthenticated()
            change(db, user)
    except BadAccountInput:
        raise  # a wrong code: its claim stays counted
    except BaseException:
        _withdraw(database, claims)
        raise
    _withdraw(database, claims)


def totp_confirm(database: Any, current: CurrentUser, code: str, now: float | None = None, policy: AuthPolicy = AuthPolicy()) -> None:
    """Turn 2FA on once the user proves their app has the secret."""
    now = time.time() if now is None else now

    def confirm(db: Any, user: dict) -> None:
        if user["totp_enabled"] or user["totp_secret"] is None:
            raise TotpStateError("nothing to confirm: enrol first")
        _accept_code(db, user, code, now)
        store.set_totp(db, user["id"], user["totp_secret"], enabled=True)

    _guarded_code(database, policy, current, now, confirm)


def totp_disable(database: Any, current: CurrentUser, code: str, now: float | None = None, policy: AuthPolicy = AuthPolicy()) -> None:
    """Turn 2FA off (a current code is needed, so a stolen token alone cannot do it)."""
    now = time.time() if now is None else now

    def disable(db: Any, user: dict) -> None:
        if not user["totp_enabled"]:
            raise TotpStateError("two-factor sign-in is not on")
        _accept_code(db, user, code, now)
        store.set_totp(db, user["id"], None, enabled=False)

    _guarded_code(database, policy, current, now, disable)


def mint_ticket(database: Any, policy: AuthPolicy, current: CurrentUser, now: float | None = None) -> StreamTicket:
    """A short-lived credential for `GET /api/sync/poke?ticket=` (EventSource cannot send headers)."""
    now_s = int(time.time() if now is None else now)
    ticket = new_token()
    with database.write() as db:
        store.add_ticket(db, token_hash(ticket), current.device_id, now_s + policy.ticket_seconds)
    return StreamTicket(ticket=ticket, expires_in=policy.ticket_seconds)


def authenticate_ticket(database: Any, ticket: str, now: float | None = None) -> CurrentUser:
    """The caller behind a stream ticket; NotAuthenticated when unknown, expired or its device revoked."""
    now_s = int(time.time() if now is None else now)
    if not 20 <= len(ticket) <= 100:
        raise NotAuthenticated()
    row = store.ticket(database.read(), token_hash(ticket))
    if row is None or row["expires_at"] < now_s:
        raise NotAuthenticated("the stream ticket is unknown or expired; mint a new one")
    return CurrentUser(user_id=row["user_id"], device_id=row["device_id"])


def reauthenticate(database: Any, policy: AuthPolicy, current: CurrentUser, password: str, code: str | None,
                   now: float | None = None) -> None:
    """Check the caller's password (and TOTP code when 2FA is on) before a destructive request;
    ReauthenticationFailed when wrong (failures count against the account like failed logins)."""
    now = time.time() if now is None else now
    claims = _claim(database, policy, [(_key("reauth", str(current.user_id)), policy.login_max_failures_per_account,
                                         "for this account")], now)
    user = store.user_by_id(database.read(), current.user_id)
    if user is None:
        _withdraw(database, claims)
        raise NotAuthenticated()
    ok = passwords.verify_password(password, user["password_hash"])
    if ok and user["totp_enabled"]:
        step = None if code is None else totp.matching_step(user["totp_secret"], code, now)
        if step is None:
            ok = False
        else:
            with database.write() as db:
                ok = store.use_totp_step(db, user["id"], step)
    if ok:
        _withdraw(database, claims)
    else:  # the claim stays: a failure
        raise ReauthenticationFailed("password or code is not right" if user["totp_enabled"] else "the password is not right")


def shopper_erased(db: Any, user_id: int) -> bool:
    """Whether this shopper's account was erased (in the caller's transaction)."""
    return store.is_erased(db, user_id)


def erased_shoppers(db: Any) -> set[int]:
    """The ids of erased accounts (`lastmile verify` expects no synced rows for them)."""
    return store.erased_user_ids(db)


def erase(db: Any, user_id: int, now: float | None = None) -> bool:
    """Erase the account's personal data in the caller's transaction (accounts' part of account deletion)."""
    return store.erase_user(db, user_id, int(time.time() if now is None else now))


def export(db: Any, user_id: int) -> dict:
    """The account's own data, opened, for the shopper's export."""
    user = store.user_by_id(db, user_id)
    if user is None:
        raise NotAuthenticated()
    return {
        "userId": user["id"],
        "email": user["email"],
        "createdAt": iso_seconds(user["created_at"]),
        "totpEnabled": bool(user["totp_enabled"]),
        "devices": [
            {"id": d["id"], "name": d["name"], "createdAt": iso_seconds(d["created_at"]), "lastUsedAt": iso_seconds(d["last_used_at"])}
            for d in store.list_devices(db, user_id)
        ],
        "consents": {p: {"granted": g, "at": at} for p, (g, at) in sorted(store.consents_of(db, user_id).items())},
        "activeDays": [iso_seconds(day * 86_400)[:10] for day in store.active_days_of(db, user_id)],
    }


def shopper_emails(database: Any, user_ids: list[int], reveal: Reveal | None = None, now: float | None = None) -> dict[int, str]:
    """Emails of these shoppers for an operator answer: masked (`p***@example.com`), or in full when ``reveal``
    says the operator's role may see them — then each shopper shown is audited."""
    emails = store.emails_of(database.read(), user_ids)
    if reveal is None:
        return {uid: mask_email(email) for uid, email in emails.items()}
    if emails:
        with database.write() as db:
            store.add_reveals(db, int(time.time() if now is None else now), reveal.role, reveal.operator, reveal.route,
                              sorted(emails))
    return emails


def device_active(database: Any, current: CurrentUser) -> bool:
    """True while the caller's device has not been revoked (long-lived streams re-check it)."""
    return store.device_exists(database.read(), current.device_id)


# --- read API for other rooms (retention pages through shoppers); ``db`` is the caller's read or transaction

def shopper_activity(db: Any, after: int, limit: int) -> list[ShopperActivity]:
    """The next ``limit`` shoppers after user id ``after``, in id order, with their activity."""
    return [ShopperActivity(user_id=r["id"], created_at=r["created_at"], last_used_at=r["last_used_at"])
            for r in store.users_page(db, after, limit)]


def shopper_exists(db: Any, user_id: int) -> bool:
    """Whether there is a shopper with this id."""
    return store.user_by_id(db, user_id) is not None


def shopper_count(db: Any) -> int:
    """How many shoppers there are (for progress bars)."""
    return store.count_users(db)


def shopper_id(db: Any, email: str) -> int | None:
    """The id of the shopper with this email (normalised here), or None."""
    user = store.user_by_email(db, normalise_email(email))
    return user["id"] if user else None


def demo_password_hash(password: str, scrypt_n: int) -> str:
    """One hash that every demo shopper shares (hashing per shopper would take minutes for thousands)."""
    return passwords.hash_password(password, scrypt_n)


def add_demo_device(db: Any, user_id: int, name: str, signed_in: int, used: list[int]) -> int:
    """A demo shopper's device, signed in at ``signed_in`` and used at each of ``used`` (unix seconds, oldest
    first), in the caller's transaction; its id. Its token is thrown away: the demo signs in with the demo password."""
    device_id = _new_session(db, user_id, name, signed_in).device_id
    for at in used:
        store.touch_device(db, device_id, at)
        store.note_active_day(db, user_id, device_id, at)
    return device_id


def add_shoppers(db: Any, shoppers: list[tuple[str, int]], password_hash: str) -> list[int | None]:
    """Create (email, created_at unix seconds) accounts with one shared password hash, in the caller's
    transaction; each new id, or None for an email that is taken (the demo seed is re-runnable)."""
    return [store.create_user(db, normalise_email(email), password_hash, created_at) for email, created_at in shoppers]

