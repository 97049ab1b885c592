"""`lastmile operator add|list|disable|enable|reset-2fa|token`: operator accounts (TOTP always on)."""

from __future__ import annotations

import argparse
import base64
import getpass
import io
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import segno

from accounts import totp
from operators import service
from operators.errors import OperatorExists, OperatorsError
from operators.models import NewOperator
from operators.roles import Role
from server.cli.commands import command, command_group
from server.cli.database import opened_database
from server.http.roles import operator_policy
from server.settings import Settings


def _read_password(args: argparse.Namespace) -> str:
    """From stdin when asked or when stdin is not a terminal (scripts), else prompted twice without echo."""
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise OperatorsError("the two passwords differ")
    return first


DEMO_OPERATOR = "owner@demo.lastmile.invalid"
DEMO_OPERATOR_FILE = "demo-operator.txt"


def _show_qr(uri: str) -> None:
    if sys.stdout.isatty():
        # A QR code only where a person looks at it; pipes and logs get the URI alone.
        buf = io.StringIO()
        segno.make(uri, error="m").terminal(out=buf, compact=True, border=2)
        print(buf.getvalue(), end="")


def _show_enrolment(new: NewOperator) -> None:
    print(f"operator {new.email} ({new.role}): scan this in an authenticator app, it is shown once:")
    print(new.otpauth_uri)
    _show_qr(new.otpauth_uri)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner may read (0600 from the moment it exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file keeps its mode through O_CREAT: tighten it
    with os.fdopen(fd, "w") as f:
        f.write(text)


def seed_demo_operator(settings: Settings, database) -> Path | None:
    """The demo's console owner: a random password and a new TOTP secret, written once to a 0600 file in the data
    dir (never a fixed password: this runs only for `seed-demo`); the file's path, or None when the owner exists."""
    password = secrets.token_urlsafe(18)
    try:
        new = service.add_operator(database, operator_policy(settings), DEMO_OPERATOR, "owner", password)
    except OperatorExists:
        return None
    secret = parse_qs(urlparse(new.otpauth_uri).query)["secret"][0]
    path = settings.data_dir / DEMO_OPERATOR_FILE
    _write_private(path, (
        "# The demo console's owner (made by `lastmile seed-demo`; delete this file once you have signed in)\n"
        f"sign-in: http://{settings.host}:{settings.port}/admin/signin\n"
        f"email: {new.email}\n"
        f"password: {password}\n"
        f"totp-secret: {secret}\n"
        f"otpauth: {new.otpauth_uri}\n"
        "# the current code without an authenticator app:\n"
        "# .venv/bin/lastmile operator demo-code\n"
    ))
    _show_qr(new.otpauth_uri)
    return path


def _cmd_demo_code(settings: Settings, args: argparse.Namespace) -> int:
    path = settings.data_dir / DEMO_OPERATOR_FILE
    try:
        fields = dict(line.split(": ", 1) for line in path.read_text().splitlines() if ": " in line)
        secret = fields["totp-secret"].strip()
        code = totp.code_at(base64.b32decode(secret + "=" * (-len(secret) % 8)), time.time())
    except (OSError, KeyError, ValueError):
        print(f"lastmile operator: no demo operator file at {path} (made by `lastmile seed-demo`)", file=sys.stderr)
        return 1
    print(code)
    return 0


def _run(settings: Settings, action) -> int:
    with opened_database(settings) as database:
        try:
            action(database)
        except OperatorsError as exc:
            print(f"lastmile operator: {exc}", file=sys.stderr)
            return 1
    return 0


def _cmd_add(settings: Settings, args: argparse.Namespace) -> int:
    try:
        password = _read_password(args)
    except OperatorsError as exc:
        print(f"lastmile operator: {exc}", file=sys.stderr)
        return 1
    return _run(settings, lambda db: _show_enrolment(
        service.add_operator(db, operator_policy(settings), args.email, args.role, password)))


def _cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    def show(database) -> None:
        for row in service.list_operators(database):
            state = "disabled" if row.disabled else "active"
            print(f"{row.id}\t{row.email}\t{row.role}\t{state}\tcreated {row.created_at}\t"
                  f"last sign-in {row.last_sign_in_at or 'never'}")

    return _run(settings, show)


def _cmd_disable(settings: Settings, args: argparse.Namespace) -> int:
    def disable(database) -> None:
        service.disable_operator(database, args.email)
        print(f"operator {args.email} disabled; every session and token ended")

    return _run(settings, disable)


def _cmd_enable(settings: Settings, args: argparse.Namespace) -> int:
    def enable(database) -> None:
        service.enable_operator(database, args.email)
        print(f"operator {args.email} enabled")

    return _run(settings, enable)


def _cmd_reset_2fa(settings: Settings, args: argparse.Namespace) -> int:
    return _run(settings, lambda db: _show_enrolment(service.reset_2fa(db, args.email)))


def _cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    def issue(database) -> None:
        token = service.issue_token(database, args.email, args.name)
        print(token)

    return _run(settings, issue)


def register(sub: argparse._SubParsersAction) -> None:
    """Add `lastmile operator ...`."""
    commands = command_group(sub, "operator", "operator accounts: add, list, disable, enable, reset-2fa, token")

    add = command(commands, "add", _cmd_add,
                  "create an operator; prints the TOTP otpauth:// URI (a QR code in a terminal)")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from stdin (the default when stdin is not a terminal)")

    command(commands, "list", _cmd_list, "every operator with role and state")

    for name, func, text in (
        ("disable", _cmd_disable, "disable an operator and end their sessions and tokens"),
        ("enable", _cmd_enable, "let a disabled operator sign in again"),
        ("reset-2fa", _cmd_reset_2fa, "a new TOTP secret (prints the new URI) and every session ended"),
    ):
        command(commands, name, func, text).add_argument("--email", required=True)

    command(commands, "demo-code", _cmd_demo_code,
            "the current TOTP code of the demo owner `seed-demo` made (read from its 0600 file in the data dir)")

    token = command(commands, "token", _cmd_token, "issue an API token carrying the operator's role (printed once)")
    token.add_argument("--email", required=True)
    token.add_argument("--name", default="script", help="what the token is for")
