"""`lastmile verify`: the invariants across rooms, each discrepancy printed with its ids; exit 1 on any."""

from __future__ import annotations

import argparse
from typing import Any, Callable

from accounts import service as accounts_service
from catalog import integrity as catalog_integrity
from loyalty import integrity as loyalty_integrity
from retention import integrity as retention_integrity
from server.cli.commands import command
from server.cli.database import opened_database
from server.db import Database
from server.settings import Settings
from sync import integrity as sync_integrity

CHECKS: tuple[tuple[str, Callable[[Any], list[str]]], ...] = (
    ("stock >= 0", catalog_integrity.check),
    ("orders, points ledger and their synced rows",
     lambda db: loyalty_integrity.check(db, erased=accounts_service.erased_shoppers(db))),
    ("synced carts", sync_integrity.check),
    ("push outbox states", retention_integrity.check),
)


def discrepancies(database: Database) -> list[str]:
    """Every discrepancy, read in one snapshot (a consistent picture even while the shop is serving)."""
    found: list[str] = []
    with database.snapshot() as db:
        for _, check in CHECKS:
            found += check(db)
    return found


def _cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database:
        found = discrepancies(database)
    for line in found:
        print(line)
    checked = "; ".join(name for name, _ in CHECKS)
    print(f"verify: {len(found)} discrepancies ({checked})")
    return 1 if found else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `lastmile verify`."""
    command(sub, "verify", _cmd_verify, "check the invariants across rooms; exit 1 on any discrepancy")
