"""`lastmile operator add|list|disable|enable|reset-2fa|token`: operator accounts (TOTP always on)."""

from __future__ import annotations

import argparse
import getpass
import io
import sys

import segno

from operators import service
from operators.errors import OperatorsError
from operators.models import NewOperator
from operators.roles import Role
from server.http.roles import operator_policy
from server.settings import Settings
from server.stores import open_database


def _read_password(args: argparse.Namespace) -> str:
    """From stdin when asked or when stdin is not a terminal (scripts), else prompted twice without echo."""
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise OperatorsError("the two passwords differ")
    return first


def _show_enrolment(new: NewOperator) -> None:
    print(f"operator {new.email} ({new.role}): scan this in an authenticator app, it is shown once:")
    print(new.otpauth_uri)
    if sys.stdout.isatty():
        # A QR code only where a person looks at it; pipes and logs get the URI alone.
        buf = io.StringIO()
        segno.make(new.otpauth_uri, error="m").terminal(out=buf, compact=True, border=2)
        print(buf.getvalue(), end="")


def _run(settings: Settings, action) -> int:
    database = open_database(settings)
    try:
        action(database)
    except OperatorsError as exc:
        print(f"lastmile operator: {exc}", file=sys.stderr)
        return 1
    finally:
        database.close()
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
    group = sub.add_parser("operator", help="operator accounts: add, list, disable, enable, reset-2fa, token")
    commands = group.add_subparsers(dest="operator_command", required=True)

    add = commands.add_parser("add", help="create an operator; prints the TOTP otpauth:// URI (a QR code in a terminal)")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from stdin (the default when stdin is not a terminal)")
    add.set_defaults(func=_cmd_add)

    commands.add_parser("list", help="every operator with role and state").set_defaults(func=_cmd_list)

    for name, func, text in (
        ("disable", _cmd_disable, "disable an operator and end their sessions and tokens"),
        ("enable", _cmd_enable, "let a disabled operator sign in again"),
        ("reset-2fa", _cmd_reset_2fa, "a new TOTP secret (prints the new URI) and every session ended"),
    ):
        cmd = commands.add_parser(name, help=text)
        cmd.add_argument("--email", required=True)
        cmd.set_defaults(func=func)

    token = commands.add_parser("token", help="issue an API token carrying the operator's role (printed once)")
    token.add_argument("--email", required=True)
    token.add_argument("--name", default="script", help="what the token is for")
    token.set_defaults(func=_cmd_token)
