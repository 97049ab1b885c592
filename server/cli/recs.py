"""`lastmile recs refresh`: recompute the recommendation model (item neighbours, popularity); run hourly or daily."""

from __future__ import annotations

import argparse

import clock
from recs import service
from server.cli.commands import command, command_group
from server.cli.database import opened_database
from server.cli.exclusive import busy
from server.settings import Settings


def _cmd_refresh(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database, database.exclusive("recs-refresh") as alone:
        if not alone:  # a second refresh would only compute the same model again
            return busy("recs refresh")
        info = service.refresh(database, clock.now())
    print(f"recs refresh: {info.shoppers} shoppers, {info.items} items with neighbours, {info.popular} popular items")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `recs` command group."""
    commands = command_group(sub, "recs", "recommendations")
    command(commands, "refresh", _cmd_refresh, "recompute item neighbours and popularity from orders and views")
