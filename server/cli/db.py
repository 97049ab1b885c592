"""`lastmile db copy --to postgresql://...`: move the SQLite shop into an empty PostgreSQL database."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from server.cli.commands import command, command_group
from server.db import SqliteDatabase
from server.db_copy import CopyRefused, copy_sqlite_to_postgres, count_rows
from server.settings import Settings, SettingsError, parse_database_url
from server.stores import STORES


def _cmd_copy(settings: Settings, args: argparse.Namespace) -> int:
    try:
        url = parse_database_url(args.to, "--to")
    except SettingsError as exc:
        print(f"db copy: {exc}", file=sys.stderr)
        return 2
    if not settings.database_path.exists():
        print(f"db copy: there is no SQLite database at {settings.database_path}", file=sys.stderr)
        return 2
    from server.postgres import PostgresDatabase  # psycopg only loads where PostgreSQL is used

    # Sealed columns are copied sealed: hosts serving the target need this data dir's keys (docs/deployment.md).
    source = SqliteDatabase(settings.database_path)
    target = PostgresDatabase(url, max_size=2)
    try:
        total = count_rows(source)
        with tqdm(total=total, unit="row", disable=args.quiet, desc="db copy") as bar:
            report = copy_sqlite_to_postgres(source, target, STORES, progress=bar.update)
    except CopyRefused as exc:
        print(f"db copy: {exc}", file=sys.stderr)
        return 1
    finally:
        source.close()
        target.close()
    print(f"db copy: {report.total} rows in {len(report.rows)} tables copied and counted; "
          "set LASTMILE_DATABASE_URL to serve from PostgreSQL")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `db copy`."""
    commands = command_group(sub, "db", "database maintenance")
    copy = command(commands, "copy", _cmd_copy, "copy the SQLite shop into an empty PostgreSQL database")
    copy.add_argument("--to", required=True, metavar="postgresql://user@host:port/db")
    copy.add_argument("--quiet", action="store_true", help="no progress bar")
