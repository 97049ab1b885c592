"""`lastmile loyalty run`: the maturation/expiry job (cron it, e.g. hourly; reads apply it lazily anyway)."""

from __future__ import annotations

import argparse

from loyalty import service
from server.cli.commands import command, command_group
from server.cli.database import opened_database
from server.cli.exclusive import busy
from server.settings import Settings


def _cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database, database.exclusive("loyalty-run") as alone:
        if not alone:
            return busy("loyalty run")
        report = service.run_jobs(database)
    print(
        f"loyalty run: {report.users} shoppers looked at, {report.points_expired} points expired, "
        f"{report.tier_changes} tier changes, {report.keys_purged} idempotency keys purged"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `lastmile loyalty ...`."""
    commands = command_group(sub, "loyalty", "loyalty programme jobs")
    command(commands, "run", _cmd_run, "mature pending points, expire lots, review tiers, purge old keys")
